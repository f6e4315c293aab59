using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;

namespace NetLab.Web.Store;

/// <summary>What an account may do. Stored as its lower-case name.</summary>
public enum UserRole
{
    Student,
    Instructor,
}

/// <summary>An account as the store keeps it, without its password hash.</summary>
public sealed record UserAccount(long Id, string Name, string DisplayName, UserRole Role, bool Disabled, string SecurityStamp, DateTimeOffset Created)
{
    /// <summary>True for an account made by single sign-on: it has no password and signs in through its provider only.</summary>
    public bool SingleSignOn { get; init; }
}

/// <summary>The outcome of a sign-in attempt; only <see cref="SignInOutcome.SignedIn"/> carries the account.</summary>
public sealed record SignInResult(SignInOutcome Outcome, UserAccount? Account);

public enum SignInOutcome
{
    SignedIn,

    /// <summary>No such user or a wrong password: told apart only in the log, never to the person signing in.</summary>
    WrongNameOrPassword,

    Disabled,
}

/// <summary>
/// Local accounts in the SQLite store: user names unique whatever their case, passwords hashed with ASP.NET Core's
/// <see cref="PasswordHasher{TUser}"/> (never stored or compared in clear), and a security stamp that changes when an
/// account is disabled, enabled or its password reset, so sessions signed in before no longer count
/// (the web revalidates sessions against it).
/// </summary>
public sealed partial class UserStore(SqliteDatabase database, TimeProvider time)
{
    public const int MaxNameLength = 32;
    public const int MaxDisplayNameLength = 100;
    public const int MinPasswordLength = 8;

    /// <summary>A bound on what is hashed: a password is typed or pasted, not a file.</summary>
    public const int MaxPasswordLength = 1024;

    private const string Columns =
        "id AS Id, name AS Name, display_name AS DisplayName, role AS Role, disabled AS Disabled, security_stamp AS SecurityStamp, created_ms AS CreatedMs, " +
        "(external_subject IS NOT NULL OR awaiting_sso = 1) AS SingleSignOn";

    /// <summary>
    /// A row that can sign in: with a password, or through single sign-on, or will at its first single sign-on (a roster's
    /// account awaiting it, db/010); the pre-accounts user 'local' has none of them.
    /// </summary>
    private const string IsAccount = "(password_hash IS NOT NULL OR external_subject IS NOT NULL OR awaiting_sso = 1)";

    // The hasher needs no user: its format does not depend on one.
    private static readonly PasswordHasher<UserAccount> Hasher = new();

    /// <summary>The rule for user names, in words, for error messages and docs/cli.md.</summary>
    public const string NameRule =
        "1 to 32 characters: letters a-z or A-Z, digits, '.', '_' or '-', starting with a letter or digit";

    /// <summary>Null when <paramref name="name"/> is a valid user name, else what is wrong and how to fix it.</summary>
    public static string? NameProblem(string? name) =>
        string.IsNullOrEmpty(name) ? $"the user name is empty: give one of {NameRule}"
        : name.Length > MaxNameLength ? $"the user name '{Shorten(name)}' has {name.Length} characters, more than {MaxNameLength}: choose a shorter one ({NameRule})"
        : !NamePattern().IsMatch(name) ? $"the user name '{Shorten(name)}' is not allowed: use {NameRule}"
        : null;

    /// <summary>Null when <paramref name="displayName"/> can be shown as it is, else what is wrong.</summary>
    public static string? DisplayNameProblem(string displayName) =>
        displayName.Length > MaxDisplayNameLength ? $"the display name has {displayName.Length} characters, more than {MaxDisplayNameLength}: shorten it"
        : displayName.Any(char.IsControl) ? "the display name holds control characters (a tab or line break): write it on one line of printable characters"
        : displayName.Trim().Length != displayName.Length ? "the display name starts or ends with spaces: remove them"
        : null;

    /// <summary>Null when <paramref name="password"/> is acceptable, else what is wrong and how to fix it.</summary>
    public static string? PasswordProblem(string? password) =>
        string.IsNullOrEmpty(password) ? $"the password is empty: give one of at least {MinPasswordLength} characters on standard input"
        : password.Length < MinPasswordLength ? $"the password has {password.Length} characters, fewer than {MinPasswordLength}: choose a longer one"
        : password.Length > MaxPasswordLength ? $"the password has {password.Length} characters, more than {MaxPasswordLength}: choose a shorter one"
        : null;

    /// <summary>The role's name as stored and typed (`instructor`, `student`).</summary>
    public static string RoleName(UserRole role) => role == UserRole.Instructor ? "instructor" : "student";

    public static UserRole? ParseRole(string? text) => text switch
    {
        "instructor" => UserRole.Instructor,
        "student" => UserRole.Student,
        _ => null,
    };

    /// <summary>True once any account that can sign in exists (the sign-in page says how to make the first one otherwise).</summary>
    public async Task<bool> AnyAccountAsync()
    {
        using var connection = database.Open();
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM users WHERE {IsAccount}") > 0;
    }

    /// <summary>Every account, by name (the pre-accounts owner row, which cannot sign in, is no account).</summary>
    public async Task<IReadOnlyList<UserAccount>> ListAsync()
    {
        using var connection = database.Open();
        var rows = await connection.QueryAsync<UserRow>($"SELECT {Columns} FROM users WHERE {IsAccount} ORDER BY name COLLATE NOCASE");
        return [.. rows.Select(r => r.ToAccount())];
    }

    public async Task<UserAccount?> FindAsync(string name)
    {
        using var connection = database.Open();
        return (await FindRowAsync(connection, name))?.ToAccount();
    }

    public async Task<UserAccount?> GetAsync(long id)
    {
        using var connection = database.Open();
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(
            $"SELECT {Columns} FROM users WHERE id = @id AND {IsAccount}", new { id });
        return row?.ToAccount();
    }

    /// <summary>
    /// Creates an account. The first account ever takes over the store's pre-accounts user (id 1), so the labs and
    /// runs made before sign-in existed stay reachable: they become the first account's.
    /// </summary>
    /// <exception cref="ArgumentException">The name, display name or password breaks a rule, or the name is taken (the message says how to fix it).</exception>
    public Task<UserAccount> AddAsync(string name, UserRole role, string password, string? displayName = null) => database.WriteAsync(async () =>
    {
        displayName = string.IsNullOrEmpty(displayName) ? name : displayName;
        Check(NameProblem(name));
        Check(DisplayNameProblem(displayName));
        Check(PasswordProblem(password));
        var hash = Hasher.HashPassword(null!, password);
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        if (await FindRowAsync(connection, name, transaction) is { } taken)
        {
            throw new ArgumentException($"the user name '{name}' is taken (by '{taken.Name}'; names are the same whatever their case): choose another, or `netlab user reset-password {taken.Name}`");
        }

        var values = new { name, displayName, role = RoleName(role), hash, stamp = NewStamp(), now = Now() };
        var adopted = await connection.ExecuteAsync(
            "UPDATE users SET name = @name, display_name = @displayName, role = @role, password_hash = @hash, disabled = 0, " +
            "security_stamp = @stamp, created_ms = @now " +
            "WHERE id = @localId AND password_hash IS NULL AND NOT EXISTS (SELECT 1 FROM users WHERE password_hash IS NOT NULL)",
            new { values.name, values.displayName, values.role, values.hash, values.stamp, values.now, localId = LabStore.LocalUserId },
            transaction);
        if (adopted == 0)
        {
            await connection.ExecuteAsync(
                "INSERT INTO users (name, display_name, role, password_hash, disabled, security_stamp, created_ms) " +
                "VALUES (@name, @displayName, @role, @hash, 0, @stamp, @now)",
                values,
                transaction);
        }

        var account = (await FindRowAsync(connection, name, transaction))!.ToAccount();
        transaction.Commit();
        return account;
    });

    /// <summary>
    /// A student account that signs in with single sign-on only, made before its first sign-in (a roster import): no
    /// password; the first sign-in through the provider with this user name links it (<see cref="SignInExternalAsync"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The name breaks the rule or is taken.</exception>
    public Task<UserAccount> AddAwaitingSingleSignOnAsync(string name, string? displayName = null) => database.WriteAsync(async () =>
    {
        displayName = string.IsNullOrEmpty(displayName) ? name : displayName;
        Check(NameProblem(name));
        Check(DisplayNameProblem(displayName));
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        if (await FindRowAsync(connection, name, transaction) is { } taken)
        {
            throw new ArgumentException($"the user name '{name}' is taken (by '{taken.Name}'; names are the same whatever their case)");
        }

        await connection.ExecuteAsync(
            "INSERT INTO users (name, display_name, role, password_hash, disabled, security_stamp, created_ms, awaiting_sso) " +
            "VALUES (@name, @displayName, @role, NULL, 0, @stamp, @now, 1)",
            new { name, displayName, role = RoleName(UserRole.Student), stamp = NewStamp(), now = Now() },
            transaction);
        var account = (await FindRowAsync(connection, name, transaction))!.ToAccount();
        transaction.Commit();
        return account;
    });

    /// <summary>Disables or enables an account; a change of state changes its stamp, so its sessions end.</summary>
    /// <exception cref="ArgumentException">No such account.</exception>
    public Task<UserAccount> SetDisabledAsync(string name, bool disabled) => database.WriteAsync(async () =>
    {
        using var connection = database.Open();
        var account = await RequireAsync(connection, name);
        if (account.Disabled != disabled)
        {
            await connection.ExecuteAsync(
                "UPDATE users SET disabled = @disabled, security_stamp = @stamp WHERE id = @id",
                new { disabled = disabled ? 1 : 0, stamp = NewStamp(), id = account.Id });
        }

        return (await FindRowAsync(connection, name))!.ToAccount();
    });

    /// <summary>Sets a new password and a new stamp: every session signed in with the old password ends.</summary>
    /// <exception cref="ArgumentException">No such account, or the password breaks a rule.</exception>
    public Task<UserAccount> ResetPasswordAsync(string name, string password) => database.WriteAsync(async () =>
    {
        Check(PasswordProblem(password));
        using var connection = database.Open();
        var account = await RequireAsync(connection, name);
        if (account.SingleSignOn)
        {
            throw new ArgumentException($"'{account.Name}' signs in with single sign-on and has no password in NetLab: its password is the identity provider's to reset");
        }

        await connection.ExecuteAsync(
            "UPDATE users SET password_hash = @hash, security_stamp = @stamp WHERE id = @id",
            new { hash = Hasher.HashPassword(null!, password), stamp = NewStamp(), id = account.Id });
        return (await FindRowAsync(connection, name))!.ToAccount();
    });

    /// <summary>
    /// Checks a password. A hash in an older format of ASP.NET Core's is rewritten in the current one on success.
    /// A disabled account is refused even with the right password.
    /// </summary>
    public async Task<SignInResult> VerifyAsync(string name, string password)
    {
        if (NameProblem(name) is not null || string.IsNullOrEmpty(password) || password.Length > MaxPasswordLength)
        {
            return new SignInResult(SignInOutcome.WrongNameOrPassword, null);
        }

        using var connection = database.Open();
        var row = await FindRowAsync(connection, name);
        if (row?.PasswordHash is not { } hash)
        {
            // Hash anyway: an unknown name takes as long to refuse as a wrong password, so timing does not list users.
            _ = Hasher.VerifyHashedPassword(null!, DummyHash.Value, password);
            return new SignInResult(SignInOutcome.WrongNameOrPassword, null);
        }

        var verdict = Hasher.VerifyHashedPassword(null!, hash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            return new SignInResult(SignInOutcome.WrongNameOrPassword, null);
        }

        if (row.Disabled)
        {
            return new SignInResult(SignInOutcome.Disabled, null);
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await database.WriteAsync(() => connection.ExecuteAsync(
                "UPDATE users SET password_hash = @hash WHERE id = @id", new { hash = Hasher.HashPassword(null!, password), id = row.Id }));
        }

        return new SignInResult(SignInOutcome.SignedIn, row.ToAccount());
    }

    /// <summary>
    /// The account of a person the identity provider vouched for, found by issuer and subject (never by name): made on
    /// first sign-in, as a student unless <see cref="ExternalIdentity.Role"/> says otherwise. Later sign-ins keep the
    /// account and its user name, take the display name again and, when the provider says the role, the role (a changed
    /// role changes the stamp, so sessions issued with the old role end). A disabled account is refused. A name that
    /// already belongs to another account (a local one, or another person's at a provider) is refused, never taken over.
    /// </summary>
    public Task<ExternalSignInResult> SignInExternalAsync(ExternalIdentity identity) => database.WriteAsync(async () =>
    {
        ArgumentNullException.ThrowIfNull(identity);
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var key = new { issuer = identity.Issuer, subject = identity.Subject };
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(
            $"SELECT {Columns} FROM users WHERE external_issuer = @issuer AND external_subject = @subject", key, transaction);
        if (row is { Disabled: true })
        {
            return new ExternalSignInResult(ExternalSignInOutcome.Disabled, row.ToAccount());
        }

        var outcome = ExternalSignInOutcome.SignedIn;
        if (row is null)
        {
            // A roster's student account awaiting its first single sign-on under this name is this person's: linked, not
            // made again (and, like any account, refused while disabled).
            var awaiting = await connection.QuerySingleOrDefaultAsync<UserRow>(
                $"SELECT {Columns} FROM users WHERE name = @name COLLATE NOCASE AND awaiting_sso = 1 AND external_subject IS NULL AND password_hash IS NULL",
                new { name = identity.UserName }, transaction);
            if (awaiting is { Disabled: true })
            {
                return new ExternalSignInResult(ExternalSignInOutcome.Disabled, awaiting.ToAccount());
            }

            if (awaiting is not null)
            {
                var role = identity.Role ?? UserRole.Student;
                await connection.ExecuteAsync(
                    "UPDATE users SET external_issuer = @issuer, external_subject = @subject, awaiting_sso = 0, display_name = @displayName, " +
                    "role = @role, security_stamp = @stamp WHERE id = @id",
                    new { key.issuer, key.subject, displayName = identity.DisplayName, role = RoleName(role), stamp = NewStamp(), id = awaiting.Id },
                    transaction);
                row = await connection.QuerySingleAsync<UserRow>(
                    $"SELECT {Columns} FROM users WHERE external_issuer = @issuer AND external_subject = @subject", key, transaction);
                transaction.Commit();
                return new ExternalSignInResult(ExternalSignInOutcome.Linked, row.ToAccount());
            }

            // Any other row of that name, the pre-accounts user included: its name is taken too.
            var taken = await connection.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM users WHERE name = @name COLLATE NOCASE", new { name = identity.UserName }, transaction);
            if (taken > 0)
            {
                return new ExternalSignInResult(ExternalSignInOutcome.NameTaken, null);
            }

            await connection.ExecuteAsync(
                "INSERT INTO users (name, display_name, role, password_hash, disabled, security_stamp, created_ms, external_issuer, external_subject) " +
                "VALUES (@name, @displayName, @role, NULL, 0, @stamp, @now, @issuer, @subject)",
                new
                {
                    name = identity.UserName,
                    displayName = identity.DisplayName,
                    role = RoleName(identity.Role ?? UserRole.Student),
                    stamp = NewStamp(),
                    now = Now(),
                    key.issuer,
                    key.subject,
                },
                transaction);
            outcome = ExternalSignInOutcome.Created;
        }
        else
        {
            var account = row.ToAccount();
            var role = identity.Role ?? account.Role;
            await connection.ExecuteAsync(
                "UPDATE users SET display_name = @displayName, role = @role, security_stamp = @stamp WHERE id = @id",
                new { displayName = identity.DisplayName, role = RoleName(role), stamp = role == account.Role ? account.SecurityStamp : NewStamp(), id = account.Id },
                transaction);
        }

        row = await connection.QuerySingleAsync<UserRow>(
            $"SELECT {Columns} FROM users WHERE external_issuer = @issuer AND external_subject = @subject", key, transaction);
        transaction.Commit();
        return new ExternalSignInResult(outcome, row.ToAccount());
    });

    private static readonly Lazy<string> DummyHash = new(() => Hasher.HashPassword(null!, Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));

    private static void Check(string? problem)
    {
        if (problem is not null)
        {
            throw new ArgumentException(problem);
        }
    }

    private static async Task<UserRow?> FindRowAsync(SqliteConnection connection, string name, SqliteTransaction? transaction = null) =>
        await connection.QuerySingleOrDefaultAsync<UserRow>(
            $"SELECT {Columns}, password_hash AS PasswordHash FROM users WHERE name = @name COLLATE NOCASE AND {IsAccount}",
            new { name },
            transaction);

    private static async Task<UserAccount> RequireAsync(SqliteConnection connection, string name) =>
        (await FindRowAsync(connection, name))?.ToAccount()
        ?? throw new ArgumentException($"no account named '{Shorten(name)}': `netlab user list` shows the accounts, `netlab user add` creates one");

    private static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex NamePattern();

    private sealed class UserRow
    {
        public long Id { get; init; }

        public string Name { get; init; } = string.Empty;

        public string DisplayName { get; init; } = string.Empty;

        public string Role { get; init; } = string.Empty;

        public bool Disabled { get; init; }

        public string SecurityStamp { get; init; } = string.Empty;

        public long CreatedMs { get; init; }

        public string? PasswordHash { get; init; }

        public bool SingleSignOn { get; init; }

        public UserAccount ToAccount() => new(
            Id,
            Name,
            DisplayName.Length == 0 ? Name : DisplayName,
            ParseRole(Role) ?? UserRole.Student,
            Disabled,
            SecurityStamp,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedMs))
        {
            SingleSignOn = SingleSignOn,
        };
    }
}

/// <summary>
/// A person as the identity provider vouched for them: the provider (issuer) and its stable id for them (subject), the
/// user name and display name for NetLab, and the role when the provider says one (null: it does not).
/// </summary>
public sealed record ExternalIdentity(string Issuer, string Subject, string UserName, string DisplayName, UserRole? Role);

/// <summary>What a single sign-on came to; <see cref="Account"/> is set for <c>SignedIn</c>, <c>Created</c> and <c>Disabled</c>.</summary>
public sealed record ExternalSignInResult(ExternalSignInOutcome Outcome, UserAccount? Account);

public enum ExternalSignInOutcome
{
    /// <summary>The person's account existed and is enabled.</summary>
    SignedIn,

    /// <summary>First sign-in: the account was made.</summary>
    Created,

    /// <summary>First sign-in: a roster's account awaiting single sign-on under this name became the person's.</summary>
    Linked,

    Disabled,

    /// <summary>Another account (local, or another person's at a provider) has the user name: refused, not taken over.</summary>
    NameTaken,
}
