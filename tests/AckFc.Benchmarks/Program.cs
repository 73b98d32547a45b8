using AckFc.Benchmarks;

return await BenchmarkCommands.RunAsync(args);
