using GameApi.Domain.Events;
using GameApi.Domain.Guilds;
using GameApi.Domain.Home;
using GameApi.Domain.Items;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GameApi.Domain;

public static class DependencyInjection
{
    /// <summary>Registers the domain services. The host provides an <see cref="IEventLogger"/>.</summary>
    public static IServiceCollection AddDomain(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<GameEventFactory>();
        services.AddSingleton<VisitService>();
        services.AddSingleton<PurchaseService>();
        services.AddSingleton<GuildService>();
        return services;
    }
}
