package dev.replicas.metrics;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.ext.Provider;

/**
 * Names the route a request matched ({@code /hello/api/v1}) for {@link RequestTimingFilter}: the
 * template from the resource's {@code @Path}s, not the request's path, so that a client choosing
 * paths cannot make new series. JAX-RS keeps a request's properties in the servlet request's
 * attributes, which is how the servlet filter reads it. Requests that match no resource get none.
 */
@Provider
public class RouteTemplateFilter implements ContainerRequestFilter {

    /** The servlet request attribute that holds the route. */
    public static final String ROUTE = RouteTemplateFilter.class.getName() + ".route";

    private static final Map<Method, String> ROUTES = new ConcurrentHashMap<>();

    @Context
    private ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext request) {
        Method method = resource.getResourceMethod();
        if (method != null) {
            String route = ROUTES.get(method);
            if (route == null) { // once per resource method: the base URI is built anew at every call
                route = template(request.getUriInfo().getBaseUri().getPath(), resource.getResourceClass(), method);
                ROUTES.put(method, route);
            }
            request.setProperty(ROUTE, route);
        }
    }

    /** The base path (context root and application path) joined with the class' and the method's {@code @Path}. */
    static String template(String base, Class<?> type, Method method) {
        StringBuilder route = new StringBuilder(base);
        for (Path path : new Path[] {type.getAnnotation(Path.class), method.getAnnotation(Path.class)}) {
            if (path != null) {
                route.append('/').append(path.value());
            }
        }
        String joined = route.toString().replaceAll("/{2,}", "/");
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }
}
