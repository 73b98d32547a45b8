using System.Runtime.InteropServices;
using AckFc.Local;

// SIGTERM (timeout, containers, systemd, CI), SIGINT (Ctrl+C) and SIGQUIT stop every command gracefully: the token is
// cancelled, serve leaves its timer loop, the host and the emulator are disposed, and the exit code is 0.
using var cancel = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}

using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Stop);
try
{
    return await LocalCommands.RunAsync(args, Console.Out, Console.Error, cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    // Stopped while starting or while a sweep ran: nothing half-done to report.
    await Console.Error.WriteLineAsync("Stopped.");
    return 0;
}
