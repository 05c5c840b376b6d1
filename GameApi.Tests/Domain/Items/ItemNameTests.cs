using GameApi.Domain.Items;

namespace GameApi.Tests.Domain.Items;

public class ItemNameTests
{
    [TestCase("sword")]
    [TestCase("knife")]
    public void TryCreate_CatalogueItem_Accepted(string text)
    {
        Assert.That(ItemName.TryCreate(text, out var item), Is.True);
        Assert.That(item!.Value, Is.EqualTo(text));
    }

    [TestCase("Sword")]
    [TestCase("SWORD")]
    [TestCase(" sword")]
    [TestCase("sword ")]
    [TestCase("shield")]
    [TestCase("")]
    [TestCase(null)]
    public void TryCreate_NotExactlyInCatalogue_Rejected(string? text) =>
        Assert.That(ItemName.TryCreate(text, out _), Is.False);
}
