using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure.Kafka;

/// <summary>The event topic: whether the cluster serves it, and creating it when it is missing.</summary>
public sealed class KafkaTopic(KafkaConnection connection, EventProducer producer, IOptions<KafkaOptions> options) : IDisposable
{
    // On the producer's handle: no second set of connections to the cluster, and its log goes where the producer's goes.
    private readonly Lazy<IAdminClient> _admin = new(() => new DependentAdminClientBuilder(producer.Handle).Build());

    public string Name => options.Value.Topic;

    /// <summary>The number of partitions the cluster reports for the topic with a leader each; 0 if none.</summary>
    public int ReadyPartitions(TimeSpan timeout)
    {
        var metadata = _admin.Value.GetMetadata(Name, timeout);
        var topic = metadata.Topics.SingleOrDefault(t => t.Topic == Name);
        if (topic is null || topic.Error.IsError)
        {
            return 0;
        }

        return topic.Partitions.Count(p => p.Leader >= 0 && !p.Error.IsError);
    }

    /// <summary>Creates the topic unless it exists.</summary>
    public async Task EnsureExistsAsync(TimeSpan timeout)
    {
        var partitions = options.Value.Partitions;
        if (connection.Embedded is { } embedded)
        {
            // The mock broker has no CreateTopics API.
            embedded.CreateTopic(Name, partitions);
            return;
        }

        if (ReadyPartitions(timeout) > 0)
        {
            return;
        }

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
}
