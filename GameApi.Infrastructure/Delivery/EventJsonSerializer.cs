using System.Globalization;
using System.Text;
using GameApi.Domain.Events;
using Newtonsoft.Json;

namespace GameApi.Infrastructure.Delivery;

/// <summary>Writes an event as one flat JSON object: the wire format documented in docs/events.md.</summary>
public static class EventJsonSerializer
{
    public static string Serialize(GameEvent gameEvent)
    {
        ArgumentNullException.ThrowIfNull(gameEvent);
        var text = new StringBuilder(384);
        using var writer = new JsonTextWriter(new StringWriter(text, CultureInfo.InvariantCulture));
        writer.WriteStartObject();
        foreach (var (name, value) in gameEvent.Properties())
        {
            writer.WritePropertyName(name);
            switch (value)
            {
                case string s:
                    writer.WriteValue(s);
                    break;
                case long n:
                    writer.WriteValue(n);
                    break;
                case Guid id:
                    writer.WriteValue(id.ToString("D"));
                    break;
                case DateTimeOffset time:
                    writer.WriteValue(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                    break;
                default:
                    throw new ArgumentException($"Event field '{name}' has a value of unsupported type {value.GetType()}.", nameof(gameEvent));
            }
        }

        writer.WriteEndObject();
        writer.Flush();
        return text.ToString();
    }
}
