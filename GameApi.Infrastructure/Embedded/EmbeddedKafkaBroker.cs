using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace GameApi.Infrastructure.Embedded;

/// <summary>
/// A Kafka-protocol broker inside this process: librdkafka's mock cluster (one broker, in memory),
/// bootstrapped at a fixed address through a TCP forwarder; clients on this machine then reach the
/// broker's own loopback port, which metadata names. For running and testing without a cluster;
/// everything it holds is lost when it is disposed.
/// </summary>
public sealed class EmbeddedKafkaBroker : IDisposable
{
    private const int BrokerId = 1;
    private const short ProduceApiKey = 0;
    private const short FetchApiKey = 1;

    private readonly IntPtr _handle;
    private readonly IntPtr _cluster;
    private readonly TcpForwarder _forwarder;
    private int _disposed;

    private EmbeddedKafkaBroker(IntPtr handle, IntPtr cluster, TcpForwarder forwarder, string brokerAddress)
    {
        BrokerAddress = brokerAddress;
        _handle = handle;
        _cluster = cluster;
        _forwarder = forwarder;
        // IPEndPoint writes an IPv6 address in brackets ([::1]:9092), as librdkafka and kcat read it.
        BootstrapServers = forwarder.LocalEndPoint.ToString();
    }

    /// <summary>The address clients use, "host:port".</summary>
    public string BootstrapServers { get; }

    /// <summary>
    /// The broker's own loopback address, which metadata names: for clients in this process, which
    /// need not go through the forwarder.
    /// </summary>
    public string BrokerAddress { get; }

    /// <summary>
    /// Starts a broker reachable at <paramref name="address"/> ("127.0.0.1:9092"; port 0 picks a free one).
    /// </summary>
    /// <exception cref="EmbeddedBrokerException">The address is taken or the broker cannot start.</exception>
    public static EmbeddedKafkaBroker Start(string address)
    {
        var listenOn = ParseAddress(address);
        var handle = CreateHandle();
        var cluster = MockClusterNative.rd_kafka_mock_cluster_new(handle, 1);
        if (cluster == IntPtr.Zero)
        {
            MockClusterNative.rd_kafka_destroy(handle);
            throw new EmbeddedBrokerException("librdkafka could not create its mock cluster.");
        }

        TcpForwarder forwarder;
        var mockAddress = Marshal.PtrToStringUTF8(MockClusterNative.rd_kafka_mock_cluster_bootstraps(cluster))!.Split(',')[0];
        try
        {
            forwarder = new TcpForwarder(listenOn, ParseAddress(mockAddress));
        }
        catch (SocketException e)
        {
            MockClusterNative.rd_kafka_mock_cluster_destroy(cluster);
            MockClusterNative.rd_kafka_destroy(handle);
            throw new EmbeddedBrokerException(
                e.SocketErrorCode == SocketError.AddressAlreadyInUse
                    ? $"The embedded Kafka broker cannot listen on {address}: the port is already in use. Stop whatever holds it, or set Kafka:EmbeddedAddress to another address."
                    : $"The embedded Kafka broker cannot listen on {address}: {e.Message}",
                e);
        }

        // Clients elsewhere (kcat, the analytics) bootstrap through the forwarder; metadata then sends them
        // to the broker's own loopback port, which this process's clients use from the start
        // (KafkaConnection.ClientBootstrapServers). Produce traffic skipping the forwarder is faster
        // (docs/decisions/0002-embedded-broker.md).
        return new EmbeddedKafkaBroker(handle, cluster, forwarder, mockAddress);
    }

    /// <summary>Creates a topic unless it exists (the mock broker has no CreateTopics API).</summary>
    public void CreateTopic(string topic, int partitions)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _ = MockClusterNative.rd_kafka_mock_topic_create(_cluster, topic, partitions, 1);
    }

    /// <summary>Drops the broker's connections and refuses new ones, as a crashed broker would.</summary>
    public void SetDown()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _ = MockClusterNative.rd_kafka_mock_broker_set_down(_cluster, BrokerId);
    }

    /// <summary>Accepts connections again after <see cref="SetDown"/>.</summary>
    public void SetUp()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _ = MockClusterNative.rd_kafka_mock_broker_set_up(_cluster, BrokerId);
    }

    /// <summary>Delays every answer of the broker by this long (zero ends it), as a slow or distant broker: requests stay in flight meanwhile.</summary>
    public void SetRoundTripTime(TimeSpan delay)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _ = MockClusterNative.rd_kafka_mock_broker_set_rtt(_cluster, BrokerId, (int)delay.TotalMilliseconds);
    }

    /// <summary>Makes metadata answer this error for the topic (NoError ends it), as a topic without a leader for a while.</summary>
    public void SetTopicError(string topic, Confluent.Kafka.ErrorCode error)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        MockClusterNative.rd_kafka_mock_topic_set_error(_cluster, topic, (int)error);
    }

    /// <summary>Makes the next produce requests fail with these Kafka error codes, one each, in order.</summary>
    public void FailNextProduceRequests(params Confluent.Kafka.ErrorCode[] errors)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var codes = errors.Select(e => (int)e).ToArray();
        MockClusterNative.rd_kafka_mock_push_request_errors_array(_cluster, ProduceApiKey, (nuint)codes.Length, codes);
    }

    /// <summary>Makes the next fetch requests fail with these Kafka error codes, one each, in order.</summary>
    public void FailNextFetchRequests(params Confluent.Kafka.ErrorCode[] errors)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var codes = errors.Select(e => (int)e).ToArray();
        MockClusterNative.rd_kafka_mock_push_request_errors_array(_cluster, FetchApiKey, (nuint)codes.Length, codes);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _forwarder.Dispose();
        // The cluster must go before the handle that owns it, or librdkafka aborts the process.
        MockClusterNative.rd_kafka_mock_cluster_destroy(_cluster);
        MockClusterNative.rd_kafka_destroy(_handle);
    }

    private static IntPtr CreateHandle()
    {
        var errors = new byte[512];
        var conf = MockClusterNative.rd_kafka_conf_new();
        // The handle exists only to own the mock cluster; its own logging is noise.
        _ = MockClusterNative.rd_kafka_conf_set(conf, "log_level", "3", errors, (nuint)errors.Length);
        var handle = MockClusterNative.rd_kafka_new(MockClusterNative.ProducerType, conf, errors, (nuint)errors.Length);
        if (handle == IntPtr.Zero)
        {
            var message = Encoding.UTF8.GetString(errors).TrimEnd('\0');
            throw new EmbeddedBrokerException($"librdkafka could not create a handle for the embedded broker: {message}");
        }

        return handle;
    }

    internal static IPEndPoint ParseAddress(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0
            || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port > IPEndPoint.MaxPort)
        {
            throw new EmbeddedBrokerException($"'{address}' is not an address of the form host:port.");
        }

        var host = address[..colon].Trim('[', ']');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        return IPAddress.TryParse(host, out var ip)
            ? new IPEndPoint(ip, port)
            : throw new EmbeddedBrokerException($"'{address}' does not start with an IP address or localhost.");
    }
}

public sealed class EmbeddedBrokerException : Exception
{
    public EmbeddedBrokerException()
    {
    }

    public EmbeddedBrokerException(string message)
        : base(message)
    {
    }

    public EmbeddedBrokerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
