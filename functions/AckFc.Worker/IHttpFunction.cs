namespace AckFc.Worker;

/// <summary>A function served through an HTTP trigger.</summary>
public interface IHttpFunction
{
    Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context);
}
