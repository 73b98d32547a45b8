namespace AckFc.Worker;

/// <summary>A function invoked by events (timer) through <c>/invoke</c>. Throwing marks the invocation failed (404 + x-fc-status).</summary>
public interface ITimerFunction
{
    /// <summary>Returns the UTF-8 JSON body of the answer (bytes, or <see cref="ResponseBody.Json{T}"/> to stream it).</summary>
    Task<ResponseBody> RunAsync(TimerInfo timer, FunctionContext context);
}
