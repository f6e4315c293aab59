using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace NetLab.Agent.Certificates;

/// <summary>Whom a certificate is for: an agent serves TLS (server authentication), the controller - the web - calls agents (client authentication).</summary>
public enum CertificateRole
{
    Agent,
    Controller,
}

/// <summary>A certificate and its key as written: the files' paths and the certificate itself.</summary>
public sealed record IssuedCertificate(string CertificateFile, string KeyFile, X509Certificate2 Certificate);

/// <summary>
/// The small certificate authority of one NetLab deployment (issue 14 section 1): agents on lab hosts and the web as
/// their controller authenticate each other with certificates it issued, over mutual TLS. A CA is a folder: `ca.crt`
/// (the certificate every side trusts) and `ca.key` (kept by the administrator), and one `NAME.crt` + `NAME.key` per
/// issued certificate. Keys are ECDSA P-256, written as PKCS#8 PEM with mode 0600 at creation; nothing is ever
/// overwritten, and a file is never written through a link (the write creates it exclusively: an existing name, a
/// dangling link included, is refused). The .NET base library does the cryptography (<see cref="CertificateRequest"/>);
/// this class only decides what the certificates say.
/// </summary>
public static partial class DeploymentAuthority
{
    public const string CertificateFileName = "ca.crt";
    public const string KeyFileName = "ca.key";
    public const int DefaultCaDays = 3650;
    public const int DefaultDays = 825;

    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";
    private const UnixFileMode KeyMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PublicMode = KeyMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Null when <paramref name="name"/> can name a certificate (and its files), else why not.</summary>
    public static string? NameProblem(string name) =>
        string.IsNullOrEmpty(name) || name.Length > 63 || !NamePattern().IsMatch(name)
            ? $"'{Shorten(name)}' is no certificate name: 1 to 63 lower-case letters, digits and '-', starting with a letter or digit (it names the files NAME.crt and NAME.key)"
            : name is "ca" ? "'ca' names the authority's own files; choose another name" : null;

    /// <summary>Makes a new authority in <paramref name="folder"/> (created 0700 when missing); refuses a folder that has one.</summary>
    /// <exception cref="InvalidOperationException">The folder already holds an authority, or a file could not be created; nothing was overwritten.</exception>
    public static IssuedCertificate CreateAuthority(string folder, string name, int days = DefaultCaDays, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        Check(NameProblem(name));
        CheckDays(days);
        EnsureFolder(folder);
        var now = (time ?? TimeProvider.System).GetUtcNow();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=NetLab deployment CA {name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(days));
        return Write(folder, "ca", certificate, key);
    }

    /// <summary>
    /// Issues a certificate named <paramref name="name"/> for <paramref name="role"/>, signed by the authority in
    /// <paramref name="folder"/>: an agent's carries server authentication and the host names and addresses the
    /// controller reaches it by (at least one); the controller's carries client authentication. It never outlives the
    /// authority's.
    /// </summary>
    /// <exception cref="ArgumentException">A bad name, host name, address or lifetime.</exception>
    /// <exception cref="InvalidOperationException">No authority in the folder, or the name is issued already; nothing was overwritten.</exception>
    public static IssuedCertificate Issue(string folder, string name, CertificateRole role, IReadOnlyList<string> dnsNames, IReadOnlyList<string> addresses, int days = DefaultDays, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(dnsNames);
        ArgumentNullException.ThrowIfNull(addresses);
        Check(NameProblem(name));
        CheckDays(days);
        var ips = new List<IPAddress>();
        foreach (var address in addresses)
        {
            ips.Add(IPAddress.TryParse(address, out var ip) ? ip : throw new ArgumentException($"'{Shorten(address)}' is no IP address (--ip takes one address, IPv4 or IPv6)"));
        }

        foreach (var dns in dnsNames)
        {
            Check(Uri.CheckHostName(dns) == UriHostNameType.Dns && dns.Length <= 253 ? null : $"'{Shorten(dns)}' is no DNS host name (--dns takes one name, e.g. lab-host-1.school.example)");
        }

        if (role == CertificateRole.Agent && dnsNames.Count + ips.Count == 0)
        {
            throw new ArgumentException("an agent's certificate names the host the controller reaches it by: give --dns NAME or --ip ADDRESS (or both)");
        }

        using var authority = LoadAuthority(folder);
        using var authorityKey = authority.GetECDsaPrivateKey()
            ?? throw new InvalidOperationException($"{Path.Combine(folder, KeyFileName)} holds no ECDSA key of {CertificateFileName}");
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var notAfter = now.AddDays(days) < authority.NotAfter ? now.AddDays(days) : new DateTimeOffset(authority.NotAfter.ToUniversalTime());
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(role == CertificateRole.Agent ? ServerAuthentication : ClientAuthentication)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (dnsNames.Count + ips.Count > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var dns in dnsNames)
            {
                names.AddDnsName(dns);
            }

            foreach (var ip in ips)
            {
                names.AddIpAddress(ip);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        using var signed = request.Create(authority.SubjectName, X509SignatureGenerator.CreateForECDsa(authorityKey), now.AddMinutes(-5), notAfter, RandomNumberGenerator.GetBytes(16));
        using var withKey = signed.CopyWithPrivateKey(key);
        return Write(folder, name, withKey, key);
    }

    /// <summary>The authority's certificate with its key, from <paramref name="folder"/>.</summary>
    /// <exception cref="InvalidOperationException">The folder holds no authority (or one without its key).</exception>
    public static X509Certificate2 LoadAuthority(string folder)
    {
        var certificate = Path.Combine(folder, CertificateFileName);
        var key = Path.Combine(folder, KeyFileName);
        if (!File.Exists(certificate) || !File.Exists(key))
        {
            throw new InvalidOperationException($"{folder} holds no NetLab certificate authority ({CertificateFileName} and {KeyFileName}): make one with `netlab cert ca --dir {folder}`");
        }

        return X509Certificate2.CreateFromPemFile(certificate, key);
    }

    private static IssuedCertificate Write(string folder, string name, X509Certificate2 certificate, ECDsa key)
    {
        var certificateFile = Path.Combine(folder, $"{name}.crt");
        var keyFile = Path.Combine(folder, $"{name}.key");
        foreach (var file in new[] { certificateFile, keyFile })
        {
            if (File.Exists(file) || new FileInfo(file).LinkTarget is not null)
            {
                throw new InvalidOperationException($"{file} exists already: NetLab never overwrites a certificate or key; move it away or choose another name");
            }
        }

        // The key first and exclusively (CreateNew: O_EXCL, so neither an existing file nor a link is written through),
        // with its mode from creation on: there is no moment when another user could read it.
        WriteNew(keyFile, key.ExportPkcs8PrivateKeyPem(), KeyMode);
        try
        {
            WriteNew(certificateFile, certificate.ExportCertificatePem(), PublicMode);
        }
        catch
        {
            File.Delete(keyFile);
            throw;
        }

        return new IssuedCertificate(certificateFile, keyFile, X509CertificateLoader.LoadCertificate(certificate.RawData));
    }

    private static void WriteNew(string file, string text, UnixFileMode mode)
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            using var stream = new FileStream(file, options);
            using var writer = new StreamWriter(stream);
            writer.Write(text);
            writer.Write('\n');
        }
        catch (IOException error)
        {
            throw new InvalidOperationException($"{file} could not be created ({error.Message}): NetLab never overwrites a certificate or key", error);
        }
    }

    private static void EnsureFolder(string folder)
    {
        if (!Directory.Exists(folder) && !OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (File.Exists(Path.Combine(folder, CertificateFileName)) || File.Exists(Path.Combine(folder, KeyFileName)))
        {
            throw new InvalidOperationException($"{folder} holds a certificate authority already: NetLab never replaces one (every certificate it issued would stop being trusted); use another folder");
        }
    }

    private static void CheckDays(int days)
    {
        if (days is < 1 or > 36500)
        {
            throw new ArgumentException($"{days} days is no lifetime: 1 to 36500 days");
        }
    }

    private static void Check(string? problem)
    {
        if (problem is not null)
        {
            throw new ArgumentException(problem);
        }
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 40 ? text : text[..40] + "...";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex NamePattern();
}
