using Microsoft.AspNetCore.Mvc.ModelBinding.Metadata;

namespace GameApi.Web.Http;

/// <summary>
/// "?item=" is an empty item, not a missing one: the original API told them apart (invalid vs missing),
/// so model binding must not turn empty strings into null.
/// </summary>
internal sealed class KeepEmptyStrings : IDisplayMetadataProvider
{
    public void CreateDisplayMetadata(DisplayMetadataProviderContext context) =>
        context.DisplayMetadata.ConvertEmptyStringToNull = false;
}
