using System.Text;

namespace AckFc.Core.Reporting;

/// <summary>
/// One file of a report set, by its file name (e.g. <c>report.html</c>). The content is written when the store writes
/// the file, straight into it: a fleet-sized set never holds a rendered format in memory, only a write buffer.
/// </summary>
public sealed class ReportFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Func<Stream, CancellationToken, Task> write;

    /// <summary>A file whose content is already rendered (small files, tests).</summary>
    public ReportFile(string name, string content)
        : this(name, (stream, ct) => stream.WriteAsync(Utf8.GetBytes(content), ct).AsTask())
    {
    }

    /// <summary>A file written by <paramref name="write"/> into the stream the store opens.</summary>
    public ReportFile(string name, Func<Stream, CancellationToken, Task> write)
    {
        Name = name;
        this.write = write;
    }

    public string Name { get; }

    /// <summary>A text file rendered into a UTF-8 writer (no byte order mark) as the renderer goes.</summary>
    public static ReportFile Text(string name, Action<TextWriter> render) =>
        new(name, async (stream, ct) =>
        {
            await using var text = new StreamWriter(stream, Utf8, bufferSize: 16 * 1024, leaveOpen: true);
            render(text);
            await text.FlushAsync(ct);
        });

    /// <summary>Writes the content into <paramref name="destination"/> (each call renders again).</summary>
    public Task WriteToAsync(Stream destination, CancellationToken cancellationToken = default) => write(destination, cancellationToken);
}
