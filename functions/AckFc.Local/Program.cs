using System.Runtime.InteropServices;
using AckFc.Local;

// SIGTERM (timeout, containers, systemd, CI), SIGINT (Ctrl+C) and SIGQUIT stop every command gracefully: the token is
// cancelled, serve leaves its timer loop, the host and the emulator are disposed. serve then exits with 0 (stopping is
// how it ends); a sweep cut short exits with 128 + the signal's number (143 for SIGTERM, 130 for SIGINT), as shells do.
using var cancel = new CancellationTokenSource();
var signalNumber = 0;
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    signalNumber = context.Signal switch { PosixSignal.SIGTERM => 15, PosixSignal.SIGINT => 2, PosixSignal.SIGQUIT => 3, _ => 15 };
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
    // Stopped while starting or while a sweep ran: said, and not mistaken for a finished run.
    await Console.Error.WriteLineAsync("Stopped before the command finished.");
    return 128 + signalNumber;
}
