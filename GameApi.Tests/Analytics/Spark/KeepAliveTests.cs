using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GameApi.Analytics.Events;
using GameApi.Analytics.Spark;

namespace GameApi.Tests.Analytics.Spark;

/// <summary>
/// A server that vanishes without closing the connection (a machine gone, a network cut) during a long,
/// silent operation: the client's HTTP/2 keepalive ping goes unanswered and the run ends, instead of
/// waiting for ever. A live server that is silent while it works is waited for (SparkEngineTests).
/// </summary>
public class KeepAliveTests
{
    [Test]
    public async Task ServerGoneSilentMidOperation_PingUnanswered_SourceException()
    {
        await using var server = await StandInSparkConnectServer.StartAsync();
        server.Behaviour.Version = SparkVersion.V35; // nothing on the stream while it works
        server.Behaviour.WorkTime = TimeSpan.FromMinutes(5);
        using var proxy = new FreezableProxy(server.Address);
        using var client = new SparkConnectClient(SparkConnectionString.Parse($"sc://{proxy.Address}"), TimeSpan.FromSeconds(2), keepAlive: TimeSpan.FromSeconds(1));
        client.Connect();

        var clock = Stopwatch.StartNew();
        var call = Task.Run(() => client.Sql("SELECT 1"));
        await Task.Delay(500);
        proxy.Freeze();

        var error = Assert.ThrowsAsync<SourceException>(async () => await call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)));
        Assert.That(error!.Message, Does.Contain($"sc://{proxy.Address}").And.Contain("Lost the connection").And.Contain("ping"));
    }

    /// <summary>Forwards TCP to the server until frozen; then holds every connection open and passes nothing.</summary>
    private sealed class FreezableProxy : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly System.Collections.Concurrent.ConcurrentBag<TcpClient> _connections = [];
        private volatile bool _frozen;

        public FreezableProxy(string target)
        {
            _listener.Start();
            var (host, port) = (target[..target.LastIndexOf(':')], int.Parse(target[(target.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var outbound = new TcpClient();
                    _connections.Add(inbound);
                    _connections.Add(outbound);
                    await outbound.ConnectAsync(host, port, _stop.Token);
                    _ = Pump(inbound.GetStream(), outbound.GetStream());
                    _ = Pump(outbound.GetStream(), inbound.GetStream());
                }
            });
        }

        public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public void Freeze() => _frozen = true;

        private async Task Pump(NetworkStream from, NetworkStream to)
        {
            var buffer = new byte[16384];
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var read = await from.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    while (_frozen && !_stop.IsCancellationRequested)
                    {
                        await Task.Delay(50, _stop.Token);
                    }

                    await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            foreach (var connection in _connections)
            {
                connection.Dispose(); // the server sees its client gone and ends the call
            }

            _stop.Dispose();
        }
    }
}
