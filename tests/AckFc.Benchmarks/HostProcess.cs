using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AckFc.Local.Emulator;

namespace AckFc.Benchmarks;

/// <summary>The published host started as Function Compute starts a custom runtime, pointed at the emulator.</summary>
internal static class HostProcess
{
    public static Process Start(
        string path, RunningEmulator emulator, int port, string reportDirectory, IReadOnlyDictionary<string, string>? extra = null, Action<string>? output = null)
    {
        var isDll = path.EndsWith(".dll", StringComparison.Ordinal);
        var start = new ProcessStartInfo(isDll ? "dotnet" : path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (isDll)
        {
            start.ArgumentList.Add(path);
        }

        start.Environment["FC_CUSTOM_LISTEN_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["ACKFC_REGIONS"] = string.Join(',', emulator.State.Regions);
        start.Environment["ACKFC_CS_ENDPOINT"] = emulator.Endpoint;
        start.Environment["ACKFC_KMS_ENDPOINT"] = emulator.Endpoint;
        start.Environment["ALIBABA_CLOUD_ACCESS_KEY_ID"] = emulator.Credential.AccessKeyId;
        start.Environment["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = emulator.Credential.AccessKeySecret;
        start.Environment["ACKFC_REPORT_DIR"] = reportDirectory;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text)
            {
                output?.Invoke(text);
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
