using GameApi.Domain.Events;
using Moq;

namespace GameApi.Tests.Support;

/// <summary>A Moq <see cref="IEventLogger"/> that keeps every event it is handed.</summary>
internal sealed class RecordingEventLogger
{
    public RecordingEventLogger() => Reset();

    public Mock<IEventLogger> Mock { get; } = new(MockBehavior.Strict);

    public List<GameEvent> Events { get; } = [];

    public void Reset()
    {
        Mock.Reset();
        Events.Clear();
        Mock.Setup(l => l.LogAsync(It.IsAny<GameEvent>(), It.IsAny<CancellationToken>()))
            .Callback<GameEvent, CancellationToken>((e, _) => Events.Add(e))
            .Returns(Task.CompletedTask);
    }

    public void FailWith(Exception exception)
    {
        Mock.Reset();
        Mock.Setup(l => l.LogAsync(It.IsAny<GameEvent>(), It.IsAny<CancellationToken>())).ThrowsAsync(exception);
    }

    public GameEvent Single()
    {
        Assert.That(Events, Has.Count.EqualTo(1), "exactly one event");
        return Events[0];
    }
}
