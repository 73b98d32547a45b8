using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace AckFc.Worker;

/// <summary>
/// The one writer of the instance's standard output: the <c>FC Invoke Start/End</c> lines and every log line go
/// through it, each line whole and in the order it was written. Function Compute may freeze the instance as soon as
/// an answer completes, so nothing waits in a queue.
/// </summary>
public sealed class ConsoleLines(TextWriter writer)
{
    private readonly Lock gate = new();

    /// <summary>Writes <paramref name="text"/> (one or more complete lines) and flushes it.</summary>
    public void Write(string text)
    {
        lock (gate)
        {
            writer.Write(text);
            writer.Flush();
        }
    }

    public void WriteLine(string line) => Write(line + Environment.NewLine);
}

/// <summary>
/// The console logger without its background queue: each entry is formatted by the console formatter configured for
/// the host (the JSON one) and written through <see cref="ConsoleLines"/> before <c>Log</c> returns. The stock
/// console provider hands entries to a queue drained by its own thread, so an invocation's lines could follow its
/// <c>FC Invoke End</c> line, or be lost when the instance is frozen.
/// </summary>
[ProviderAlias("Console")]
internal sealed class SynchronousConsoleLoggerProvider(IEnumerable<ConsoleFormatter> formatters, ConsoleLines output) : ILoggerProvider, ISupportExternalScope
{
    private readonly ConsoleFormatter formatter =
        formatters.FirstOrDefault(f => f.Name == ConsoleFormatterNames.Json) ?? formatters.First();

    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(SynchronousConsoleLoggerProvider provider, string category) : ILogger
    {
        [ThreadStatic]
        private static StringWriter? buffer;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider.scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var text = buffer ??= new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
            var entry = new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter);
            provider.formatter.Write(in entry, provider.scopes, text);
            var sb = text.GetStringBuilder();
            if (sb.Length == 0)
            {
                return;
            }

            var line = sb.ToString();
            sb.Clear();
            if (sb.Capacity > 64 * 1024)
            {
                // A huge entry once should not pin its buffer on this thread for ever.
                buffer = null;
            }

            provider.Output.Write(line);
        }
    }

    private ConsoleLines Output => output;
}
