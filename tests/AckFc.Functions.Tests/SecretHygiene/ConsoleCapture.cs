using System.Text;

namespace AckFc.Functions.Tests.SecretHygiene;

/// <summary>
/// What the test process writes to stdout and stderr while a capture is open: Console.Out and Console.Error are
/// replaced once by writers that pass everything on unchanged and also keep a copy. The host's console logger takes
/// Console.Out when it is built, so open the capture before building the host. Tests running at the same time add
/// their lines too; that only means more text to scan.
/// </summary>
public sealed class ConsoleCapture : IDisposable
{
    private static readonly Lock Gate = new();
    private static readonly List<ConsoleCapture> Open = [];
    private static bool installed;
    private readonly StringBuilder kept = new();

    private ConsoleCapture()
    {
    }

    /// <summary>Starts keeping what is written to the console (both streams) from now on.</summary>
    public static ConsoleCapture Begin()
    {
        lock (Gate)
        {
            if (!installed)
            {
                Console.SetOut(new Tee(Console.Out));
                Console.SetError(new Tee(Console.Error));
                installed = true;
            }

            var capture = new ConsoleCapture();
            Open.Add(capture);
            return capture;
        }
    }

    /// <summary>Everything written to stdout and stderr while this capture was open.</summary>
    public string Text
    {
        get
        {
            lock (Gate)
            {
                return kept.ToString();
            }
        }
    }

    public void Dispose()
    {
        lock (Gate)
        {
            Open.Remove(this);
        }
    }

    private static void Keep(ReadOnlySpan<char> text)
    {
        lock (Gate)
        {
            foreach (var capture in Open)
            {
                capture.kept.Append(text);
            }
        }
    }

    private sealed class Tee(TextWriter inner) : TextWriter
    {
        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            Keep([value]);
            inner.Write(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            Keep(buffer.AsSpan(index, count));
            inner.Write(buffer, index, count);
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            Keep(buffer);
            inner.Write(buffer);
        }

        public override void Write(string? value)
        {
            Keep(value);
            inner.Write(value);
        }

        public override void WriteLine(string? value)
        {
            Keep(value);
            Keep(Environment.NewLine);
            inner.WriteLine(value);
        }

        public override void Flush() => inner.Flush();
    }
}
