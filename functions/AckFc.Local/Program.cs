using AckFc.Local;

using var cancel = new CancellationTokenSource();
return await LocalCommands.RunAsync(args, Console.Out, Console.Error, cancel.Token);
