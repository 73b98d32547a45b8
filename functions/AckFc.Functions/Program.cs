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
    // OptionsValidationException; InvalidOperationException stays only while settings read outside options classes
    // (Core's, and numbers the configuration binder cannot convert) still throw it.
    await Console.Error.WriteLineAsync("AckFc cannot start: " + e.Message);
    return 1;
}
