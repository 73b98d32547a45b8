namespace AckFc.Worker;

/// <summary>
/// Work around every HTTP function call once its route, method and body size are accepted (request authentication):
/// answer without calling <c>next</c> to refuse the request, or call it to go on. Runs inside the
/// <see cref="FunctionMiddleware"/> steps, in the order registered.
/// </summary>
public delegate Task<HttpResponseData> HttpMiddleware(HttpRequestData request, FunctionContext context, Func<Task<HttpResponseData>> next);
