using System.Text.Json;

namespace NetLab.TestIdentityProvider;

/// <summary>What the provider knows: the relying parties it serves and the users who can sign in (a test's JSON file).</summary>
public sealed record ProviderConfig(IReadOnlyList<ProviderClient> Clients, IReadOnlyList<ProviderUser> Users)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ProviderConfig Load(string path) =>
        JsonSerializer.Deserialize<ProviderConfig>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"{path} holds no provider configuration");

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>A confidential client (the NetLab web) with its secret and where it may be sent back to.</summary>
public sealed record ProviderClient(string ClientId, string ClientSecret, IReadOnlyList<string> RedirectUris, IReadOnlyList<string> PostLogoutRedirectUris);

/// <summary>A user of the provider: its subject (the stable id), the name typed at sign-in, and the claims it gets.</summary>
public sealed record ProviderUser(string Subject, string UserName, string Password, string Name, string Email, IReadOnlyList<string> Roles);
