namespace GameApi.Web.Idempotency;

/// <summary>The action id of a request sent with a valid key, for its event (see ClientMetadata.ActionId).</summary>
internal sealed record IdempotentAction(Guid ActionId);
