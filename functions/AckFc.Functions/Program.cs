using AckFc.Functions;

try
{
    await using var app = FunctionsHost.Build(args);
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is Microsoft.Extensions.Options.OptionsValidationException or AckFc.Core.Policy.PolicyException or InvalidOperationException)
{
    // A bad setting fails the instance at start with a message naming it (never a secret). Settings fail as
    // OptionsValidationException (Core, Reporting, the webhook); InvalidOperationException stays for the two that still
    // throw it: FC_CUSTOM_LISTEN_PORT, and a number AlibabaCloudOptions' binder cannot convert (ACKFC_CS_QPS=lots).
    await Console.Error.WriteLineAsync("AckFc cannot start: " + e.Message);
    return 1;
}
