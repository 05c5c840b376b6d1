namespace GameApi.Analytics.Events;

/// <summary>The JSON kinds a field's values were seen with.</summary>
[Flags]
public enum FieldKinds
{
    None = 0,
    String = 1,
    Integer = 2,
    Float = 4,
    Boolean = 8,
    Nested = 16,
    Null = 32,
}
