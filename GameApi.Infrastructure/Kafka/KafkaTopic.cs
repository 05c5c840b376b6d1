using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure.Kafka;

/// <summary>The event topic: whether the cluster serves it, and creating it when it is missing.</summary>
public sealed partial class KafkaTopic(KafkaConnection connection, IOptions<KafkaOptions> options, ILogger<KafkaTopic> logger) : IDisposable
{
    // Its own client, not one on the producer's handle: the producer is replaced after a fatal error.
    private readonly Lazy<IAdminClient> _admin = new(() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = connection.ClientBootstrapServers })
        // librdkafka logs to stderr by default, a line per failed connection attempt during an outage;
        // readiness and the outage log report those.
        .SetLogHandler((_, message) => LogLibrdkafka(logger, message.Level, message.Facility, message.Message))
        .Build());

    public string Name => options.Value.Topic;

    /// <summary>The number of partitions the cluster reports for the topic with a leader each; 0 if none.</summary>
    public int ReadyPartitions(TimeSpan timeout) =>
        Metadata(timeout)?.Partitions.Count(p => p.Leader >= 0 && !p.Error.IsError) ?? 0;

    /// <summary>Each partition's earliest offset (0 until records are dropped), in one request for all of them.</summary>
    public async Task<IReadOnlyDictionary<int, long>> EarliestOffsetsAsync(TimeSpan timeout)
    {
        var topic = Metadata(timeout);
        if (topic is null || topic.Partitions.Count == 0)
        {
            return new Dictionary<int, long>();
        }

        var result = await _admin.Value.ListOffsetsAsync(
            topic.Partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = new TopicPartition(Name, p.PartitionId), OffsetSpec = OffsetSpec.Earliest() }),
            new ListOffsetsOptions { RequestTimeout = timeout });
        return result.ResultInfos.ToDictionary(i => i.TopicPartitionOffsetError.Partition.Value, i => i.TopicPartitionOffsetError.Offset.Value);
    }

    /// <summary>Creates the topic unless it exists.</summary>
    /// <param name="cancellationToken">Honoured within a second (<see cref="MetadataCall"/>).</param>
    public async Task EnsureExistsAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var partitions = options.Value.TopicPartitions;
        if (connection.Embedded is { } embedded)
        {
            // The mock broker has no CreateTopics API.
            embedded.CreateTopic(Name, partitions);
            return;
        }

        if (Served(timeout, cancellationToken))
        {
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            await _admin.Value.CreateTopicsAsync(
                [new TopicSpecification { Name = Name, NumPartitions = partitions, ReplicationFactor = -1 }],
                new CreateTopicsOptions { RequestTimeout = timeout, OperationTimeout = timeout });
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Another instance created it first.
        }
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }

    // librdkafka's metadata call blocks for up to its timeout, cannot be cancelled, and its client must not be
    // disposed under it: a stop during start-up (SIGTERM while Kafka does not answer) would wait for all of
    // Kafka:StartTimeout. Asked in calls of at most this long, the cancellation is checked between them.
    private static readonly TimeSpan MetadataCall = TimeSpan.FromSeconds(1);

    // Whether the cluster serves the topic with a leader per partition; until the timeout while no broker answers.
    private bool Served(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var left = timeout - Stopwatch.GetElapsedTime(started);
            try
            {
                // At least a millisecond: librdkafka takes a negative timeout as none.
                return ReadyPartitions(TimeSpan.FromTicks(Math.Clamp(left.Ticks, TimeSpan.TicksPerMillisecond, MetadataCall.Ticks))) > 0;
            }
            catch (KafkaException e) when (e.Error.Code is ErrorCode.Local_Transport or ErrorCode.Local_TimedOut
                && Stopwatch.GetElapsedTime(started) < timeout)
            {
                // No answer within this call: the client keeps connecting meanwhile; ask again.
            }
        }
    }

    /// <summary>What the cluster says of the topic; null when it does not serve it.</summary>
    private TopicMetadata? Metadata(TimeSpan timeout) =>
        _admin.Value.GetMetadata(Name, timeout).Topics.SingleOrDefault(t => t.Topic == Name && !t.Error.IsError);

    [LoggerMessage(Level = LogLevel.Debug, Message = "librdkafka (admin) {Level} {Facility}: {Message}")]
    private static partial void LogLibrdkafka(ILogger logger, SyslogLevel level, string facility, string message);
}
