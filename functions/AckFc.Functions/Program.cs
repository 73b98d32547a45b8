using AckFc.Functions;

try
{
    await using var app = FunctionsHost.Build(args);
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is Microsoft.Extensions.Options.OptionsValidationException or AckFc.Core.Policy.PolicyException)
{
    // A bad setting fails the instance at start with a message naming it (never a secret): every setting fails as
    // OptionsValidationException, a bad policy as PolicyException. Anything else is a defect and crashes loudly.
    await Console.Error.WriteLineAsync("AckFc cannot start: " + e.Message);
    return 1;
}
