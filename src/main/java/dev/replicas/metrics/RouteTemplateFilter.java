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

/** Names the route a request matched from the {@code @Path}s, not the request's path: clients cannot make series. */
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
        if (method != null) { // once per resource method: the base URI is built anew at every call
            request.setProperty(ROUTE, ROUTES.computeIfAbsent(method,
                    m -> template(request.getUriInfo().getBaseUri().getPath(), resource.getResourceClass(), m)));
        }
    }

    /** The base path (context root and application path) joined with the class' and the method's {@code @Path}. */
    static String template(String base, Class<?> type, Method method) {
        Path onType = type.getAnnotation(Path.class);
        Path onMethod = method.getAnnotation(Path.class);
        String joined = String.join("/", base, onType == null ? "" : onType.value(), onMethod == null ? "" : onMethod.value())
                .replaceAll("/{2,}", "/");
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }
}
