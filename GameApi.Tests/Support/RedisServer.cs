using System.ComponentModel;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace GameApi.Tests.Support;

/// <summary>
/// Debian's redis-server on a free loopback port, nothing persisted, stopped when disposed. .ci/run
/// installs it (apt-get install redis-server).
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A StackExchange.Redis connection string for this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var port = Ports.Free();
        var start = new ProcessStartInfo("redis-server", ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"redis-server cannot be started ({e.Message}); install it: apt-get install redis-server");
            throw;
        }

        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var server = new RedisServer(process, port);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (await server.PingAsync())
            {
                return server;
            }

            await Task.Delay(50);
        }

        server.Dispose();
        Assert.Fail($"redis-server did not answer on port {port}.");
        throw new InvalidOperationException();
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Stops the server's process (SIGSTOP), as a hung or frozen Redis: it answers nothing until resumed.</summary>
    public void Pause() => Assert.That(Kill(_process.Id, 19), Is.Zero, "kill(2) failed");

    /// <summary>Lets a paused server run again (SIGCONT): it then reads what was sent meanwhile.</summary>
    public void Resume() => Assert.That(Kill(_process.Id, 18), Is.Zero, "kill(2) failed");

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
