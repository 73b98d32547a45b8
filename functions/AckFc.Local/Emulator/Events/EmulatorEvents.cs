using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace AckFc.Local.Emulator;

/// <summary>
/// The ActionTrail events of an emulated region: every one emitted is recorded here and posted, in order and in the
/// background, to each sink as Function Compute invokes a function (<c>POST {sink}/invoke</c>). A delivery that fails
/// is logged and counted, never retried.
/// </summary>
public sealed class EmulatorEvents : IAsyncDisposable
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<EmittedEvent> _emitted = new();
    private readonly ConcurrentQueue<EventDelivery> _deliveries = new();
    private readonly Lock _sinksGate = new();
    private readonly List<Uri> _sinks = [];
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly Random _duplicates;
    private readonly Channel<EmittedEvent> _queue = Channel.CreateUnbounded<EmittedEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http;
    private readonly Task _loop;
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private long _delivered;
    private long _failed;

    internal EmulatorEvents(EmulatorOptions options)
    {
        _capacity = options.CallLogCapacity;
        _time = options.TimeProvider;
        Delay = options.EventDelay;
        DuplicateRate = options.EventDuplicateRate;
        _duplicates = new Random(options.Seed);
        _sinks.AddRange(options.EventSinks);
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = DeliveryTimeout };
        _loop = Task.Run(DeliverAsync);
    }

    /// <summary>How long after its call an event is posted.</summary>
    public TimeSpan Delay { get; }

    /// <summary>Share of events posted twice with the same id.</summary>
    public double DuplicateRate { get; }

    /// <summary>Where events are posted (<c>{sink}/invoke</c>).</summary>
    public IReadOnlyList<Uri> Sinks
    {
        get
        {
            lock (_sinksGate)
            {
                return [.. _sinks];
            }
        }
    }

    /// <summary>Deliveries that succeeded (2xx, no failed <c>x-fc-status</c>), duplicates included.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Deliveries that failed: no answer, a non-2xx status or a failed <c>x-fc-status</c>.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Adds a sink; later events go to it too. Throws <see cref="ArgumentException"/> for a URL that is not http(s).</summary>
    public void AddSink(Uri sink)
    {
        if (!EmulatorOptions.IsSink(sink))
        {
            throw new ArgumentException($"Event sink '{sink}' must be an absolute http:// or https:// URL without a query, such as http://127.0.0.1:9000.", nameof(sink));
        }

        lock (_sinksGate)
        {
            _sinks.Add(sink);
        }
    }

    /// <summary>The events emitted, oldest first (at most the call log's capacity).</summary>
    public IReadOnlyList<EmittedEvent> GetEmitted() => [.. _emitted];

    /// <summary>Every delivery attempt, oldest first (at most the call log's capacity).</summary>
    public IReadOnlyList<EventDelivery> GetDeliveries() => [.. _deliveries];

    /// <summary>Forgets the recorded events, deliveries and counters (events already queued are still posted).</summary>
    public void Clear()
    {
        _emitted.Clear();
        _deliveries.Clear();
        Interlocked.Exchange(ref _delivered, 0);
        Interlocked.Exchange(ref _failed, 0);
    }

    internal void UseLogger(ILogger logger) => _logger = logger;

    /// <summary>Records the event and queues it for the sinks; never waits.</summary>
    internal void Emit(EmittedEvent e)
    {
        Add(_emitted, e);
        EmulatorLog.EventEmitted(_logger, e.Type, e.EventName, e.Subject, e.ErrorCode, e.Id);
        _queue.Writer.TryWrite(e);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting or posting: queued events are dropped with the emulator.
        }

        _http.Dispose();
        _stop.Dispose();
    }

    private async Task DeliverAsync()
    {
        var ct = _stop.Token;
        while (await _queue.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            while (_queue.Reader.TryRead(out var e))
            {
                // Due at call time + delay: one slow delivery does not push the later ones further back.
                var wait = e.Time + Delay - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, ct).ConfigureAwait(false);
                }

                var twice = DuplicateRate > 0 && _duplicates.NextDouble() < DuplicateRate;
                foreach (var sink in Sinks)
                {
                    await PostAsync(sink, e, duplicate: false, ct).ConfigureAwait(false);
                    if (twice)
                    {
                        await PostAsync(sink, e, duplicate: true, ct).ConfigureAwait(false);
                    }
                }
            }
        }
    }

    private async Task PostAsync(Uri sink, EmittedEvent e, bool duplicate, CancellationToken ct)
    {
        var invoke = new Uri(sink.AbsoluteUri.TrimEnd('/') + "/invoke");
        var status = 0;
        string? problem = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, invoke)
            {
                Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(e.Json)),
            };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            request.Headers.Add("x-fc-control-path", "/invoke");
            request.Headers.Add("x-fc-request-id", Guid.NewGuid().ToString("D"));
            using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
            status = (int)response.StatusCode;
            var fcStatus = response.Headers.TryGetValues("x-fc-status", out var values) ? values.FirstOrDefault() : null;
            if (!response.IsSuccessStatusCode)
            {
                problem = $"HTTP {status}";
            }
            else if (fcStatus is not null && fcStatus != "200")
            {
                problem = $"x-fc-status {fcStatus}";
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Whatever goes wrong with one delivery is logged and counted; the next event still goes out.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            problem = ex is TaskCanceledException ? $"no answer within {DeliveryTimeout.TotalSeconds:0} s" : ex.Message;
        }

        Add(_deliveries, new EventDelivery(e.Id, sink, duplicate, status, problem is null, problem));
        if (problem is null)
        {
            Interlocked.Increment(ref _delivered);
        }
        else
        {
            Interlocked.Increment(ref _failed);
            EmulatorLog.EventDeliveryFailed(_logger, e.EventName, e.Id, invoke.ToString(), problem);
        }
    }

    private void Add<T>(ConcurrentQueue<T> queue, T item)
    {
        queue.Enqueue(item);
        while (queue.Count > _capacity && queue.TryDequeue(out _))
        {
        }
    }
}
