package dev.replicas.hello;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.MappingMatch;
import jakarta.ws.rs.core.MediaType;

/**
 * A bare 400 for an Accept that does not parse or a path with dot segments, a bare 404 for a path
 * nothing here serves (no static files): Liberty's own answers to them cost stack traces or name
 * exceptions (docs/reliability.md).
 */
@WebFilter("/*")
public class RequestGuardFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Pattern DOT_SEGMENT = Pattern.compile("(^|/)\\.{1,2}(/|$)");

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        boolean bad = DOT_SEGMENT.matcher(request.getRequestURI()).find() || !acceptParses(request);
        if (!bad && request.getHttpServletMapping().getMappingMatch() != MappingMatch.DEFAULT) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(bad ? HttpServletResponse.SC_BAD_REQUEST : HttpServletResponse.SC_NOT_FOUND);
        response.setContentType("text/plain; charset=utf-8");
        response.getWriter().write(bad ? "Bad Request\n" : "Not Found\n");
    }

    private static boolean acceptParses(HttpServletRequest request) {
        try {
            Collections.list(request.getHeaders("Accept")).stream().flatMap(accept -> Arrays.stream(accept.split(",")))
                    .filter(type -> !type.isBlank()).forEach(type -> MediaType.valueOf(type.strip()));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
