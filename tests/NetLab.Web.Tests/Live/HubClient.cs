using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Web.Hubs;

namespace NetLab.Web.Tests.Live;

/// <summary>A .NET SignalR client of <c>/hubs/labs</c> on the in-process app, as docs/web-api.md tells other clients to build one.</summary>
public static class HubClient
{
    /// <param name="server">The in-process app.</param>
    /// <param name="cookie">The sign-in cookie (<c>netlab.auth=...</c>): the hub answers signed-in users only.</param>
    public static Task<HubConnection> ConnectAsync(TestServer server, string cookie) =>
        ConnectAsync(server, request => request.Headers.Cookie = cookie);

    /// <param name="server">The in-process app.</param>
    /// <param name="token">A bearer token from <c>POST /api/auth/token</c>, as a script sends it.</param>
    public static Task<HubConnection> ConnectWithTokenAsync(TestServer server, string token) =>
        ConnectAsync(server, request => request.Headers.Authorization = $"Bearer {token}");

    private static async Task<HubConnection> ConnectAsync(TestServer server, Action<Microsoft.AspNetCore.Http.HttpRequest> authenticate)
    {
        ArgumentNullException.ThrowIfNull(server);
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, LabsHub.Path), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.WebSocketFactory = async (context, cancellationToken) =>
                {
                    var client = server.CreateWebSocketClient();
                    client.ConfigureRequest = authenticate;
                    return await client.ConnectAsync(context.Uri, cancellationToken);
                };
            })
            .AddJsonProtocol(json => json.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)))
            .Build();
        await connection.StartAsync(TestContext.Current.CancellationToken);
        return connection;
    }
}
