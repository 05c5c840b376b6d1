namespace GameApi.Analytics.Events;

/// <summary>
/// A value the engine gave as JSON text (a list, struct or map, a JSON column, or a decimal's digits): JSON
/// output embeds it as JSON, tables and CSV show the text.
/// </summary>
public sealed record JsonText(string Json)
{
    public override string ToString() => Json;
}
