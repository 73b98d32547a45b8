using AckFc.Functions;

try
{
    await using var app = FunctionsHost.Build(args);
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is InvalidOperationException or AckFc.Core.Policy.PolicyException or Microsoft.Extensions.Options.OptionsValidationException)
{
    // A bad setting fails the instance at start with a message naming it (never a secret).
    await Console.Error.WriteLineAsync("AckFc cannot start: " + e.Message);
    return 1;
}
