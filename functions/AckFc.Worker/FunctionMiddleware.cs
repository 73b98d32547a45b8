namespace AckFc.Worker;

/// <summary>Cross-cutting work around every invocation (credentials, scopes, timing). Call <c>next</c> to go on.</summary>
public delegate Task FunctionMiddleware(FunctionContext context, Func<Task> next);
