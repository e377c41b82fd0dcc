package dev.replicas.hello;

import java.io.IOException;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Every path under /hello that nothing else serves: a bare 404. Mapped to "/", it takes the place
 * of Liberty's default servlet, whose 404 names the exception it threw (FileNotFoundException or,
 * with file serving off, NoTargetForURIException). The war holds no static files to serve.
 */
@WebServlet("/")
public class UnknownPathServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(HttpServletResponse.SC_NOT_FOUND);
        response.setContentType("text/plain; charset=utf-8");
        response.getWriter().write("Not Found\n");
    }
}
