namespace AckFc.Worker;

/// <summary>
/// A function invoked by an EventBridge trigger through <c>/invoke</c>. Throwing <see cref="InvalidEventException"/>
/// (an unusable body) or <see cref="EventFailedException"/> (work that must be retried) marks the invocation failed:
/// 404 + <c>x-fc-status: 404</c>, as for a timer.
/// </summary>
public interface IEventFunction
{
    /// <summary>Returns the UTF-8 JSON body of the answer (bytes, or <see cref="ResponseBody.Json{T}"/> to stream it).</summary>
    Task<ResponseBody> RunAsync(EventInfo cloudEvent, FunctionContext context);
}
