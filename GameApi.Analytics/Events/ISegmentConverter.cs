namespace GameApi.Analytics.Events;

/// <summary>
/// Turns a segment of the topic cache (event lines) into a columnar file holding the <c>events</c>
/// table's rows, so runs over an unchanged cache read columns instead of parsing JSON again. The engine
/// that owns the table's SQL implements it; <see cref="TopicCache"/> decides when.
/// </summary>
public interface ISegmentConverter
{
    /// <summary>Changes whenever the table built for <paramref name="schema"/> would have other columns or types.</summary>
    string Signature(EventSchema schema);

    /// <summary>Writes the rows of the lines at <paramref name="jsonLinesPath"/>, as the table for <paramref name="schema"/> has them, to <paramref name="columnarPath"/>.</summary>
    void Convert(string jsonLinesPath, EventSchema schema, string columnarPath);
}
