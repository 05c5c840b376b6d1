using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace GameApi.Infrastructure.Embedded;

/// <summary>
/// Forwards TCP connections from a fixed address to another one. The mock cluster only binds ephemeral
/// ports; this gives it the stable bootstrap address clients and kcat are told to use.
/// </summary>
internal sealed class TcpForwarder : IDisposable
{
    private readonly Socket _listener;
    private readonly EndPoint _upstream;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();

    /// <exception cref="SocketException">The listen address is taken or cannot be bound.</exception>
    public TcpForwarder(IPEndPoint listenOn, EndPoint upstream)
    {
        _upstream = upstream;
        _listener = new Socket(listenOn.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(listenOn);
            _listener.Listen(512);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _ = AcceptLoopAsync();
    }

    public IPEndPoint LocalEndPoint { get; }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        using var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using (client)
        {
            Track(client);
            Track(server);
            try
            {
                // Kafka requests are small and latency-bound: never wait to coalesce them.
                client.NoDelay = true;
                server.NoDelay = true;
                await server.ConnectAsync(_upstream, _stopping.Token);
                await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // A refused upstream (broker down) or a closed peer: closing the client tells it so.
            }
            finally
            {
                _open.TryRemove(client, out _);
                _open.TryRemove(server, out _);
            }
        }
    }

    private void Track(Socket socket)
    {
        _open.TryAdd(socket, 0);
        if (_stopping.IsCancellationRequested)
        {
            socket.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token);
                if (read == 0)
                {
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stopping.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Dispose();
        foreach (var socket in _open.Keys)
        {
            socket.Dispose();
        }

        _stopping.Dispose();
    }
}
