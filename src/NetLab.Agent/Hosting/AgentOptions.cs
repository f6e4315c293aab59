namespace NetLab.Agent.Hosting;

/// <summary>The agent's configuration (section "Agent" of its settings, or command-line options of `netlab agent`).</summary>
public sealed record AgentOptions
{
    public const string DefaultSocketPath = NetLab.Agent.Client.AgentSocket.DefaultPath;

    /// <summary>The Unix socket the API listens on (mode 0660).</summary>
    public string SocketPath { get; init; } = DefaultSocketPath;

    /// <summary>Peer uids admitted (SO_PEERCRED). Root (0) is always admitted.</summary>
    public IReadOnlyList<uint> AllowedUids { get; init; } = [];

    /// <summary>Peer gids admitted (SO_PEERCRED).</summary>
    public IReadOnlyList<uint> AllowedGids { get; init; } = [];

    /// <summary>
    /// The group that owns the socket file (mode 0660), so that its members can open it; who is admitted is still
    /// decided by the peer's credentials. Null: the first of <see cref="AllowedGids"/> (root's group when there is none).
    /// `netlab up` gives it the web's group while admitting only the web's uid.
    /// </summary>
    public uint? SocketGroup { get; init; }

    /// <summary>Also listen on this TCP endpoint (e.g. "127.0.0.1:5081"); null: no TCP listener at all.</summary>
    public string? TcpEndpoint { get; init; }

    /// <summary>The prefix of the namespaces of an agent started without one: `nl-`.</summary>
    public const string DefaultNamespacePrefix = "nl-";

    /// <summary>The longest <see cref="NamespacePrefix"/>: every byte of it is a byte less for lab and element names (64 in all).</summary>
    public const int MaxNamespacePrefixLength = 24;

    /// <summary>Prefix of every kernel namespace the agent creates; it never touches one without it.</summary>
    public string NamespacePrefix { get; init; } = DefaultNamespacePrefix;

    /// <summary>
    /// Where the agent records the namespaces it made (one file each, root's alone): a namespace under a lab's name
    /// without a record here is someone else's and is never deleted or used. In /run, so it lives as long as
    /// /run/netns: across agent restarts, not across a reboot.
    /// </summary>
    public string NamespaceRecordDirectory { get; init; } = "/run/netlab/namespaces";

    /// <summary>
    /// Where the agent records which user owns which lab (one file each, root's alone), written when a request acting
    /// for a user (the web's NetLab-Acting-User header) first applies a lab name; such requests reach only their user's
    /// labs. In /run beside the namespace records.
    /// </summary>
    public string LabOwnerDirectory { get; init; } = "/run/netlab/labs";

    /// <summary>
    /// Namespaces the agent holds for all labs together. An apply that would create more is refused before any kernel
    /// change (429 busy, naming the limit); one lab has at most <see cref="NetLab.Core.Validation.LabValidator.MaxNamespaces"/>
    /// (its validator says so, also in the web). Each namespace costs kernel memory, /run/netns mounts and the agent's
    /// handles; 4096 is 16 labs of the largest size.
    /// </summary>
    public int MaxNamespaces { get; init; } = 4096;

    /// <summary>Real NICs of the machine a lab may use as a parent. Empty: none (the default, and every test's).</summary>
    public IReadOnlyList<string> AllowedRealNics { get; init; } = [];

    /// <summary>
    /// Captures running at once in the whole agent; one more is answered 429 busy. Each is a thread, a packet socket
    /// and a queue of up to <see cref="CaptureQueueBytes"/>.
    /// </summary>
    public int MaxCaptures { get; init; } = 16;

    /// <summary>Captures running at once on one lab (429 busy beyond), so one lab cannot take all of <see cref="MaxCaptures"/>.</summary>
    public int MaxCapturesPerLab { get; init; } = NetLab.Agent.Client.Contracts.CaptureRequest.DefaultMaxPerLab;

    /// <summary>
    /// Frames a capture holds in the agent while its client reads slower than they arrive, in bytes of snap length:
    /// the queue takes this divided by the snap length (at most 4096 frames); beyond it the kernel drops and counts.
    /// </summary>
    public long CaptureQueueBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Event streams (GET /v1/labs/NAME/events) open at once; one more is answered 429 busy. Each watches every
    /// namespace of its lab with a socket of its own. The web shares one stream per lab, however many pages show it.
    /// </summary>
    public int MaxEventStreams { get; init; } = 64;

    /// <summary>
    /// Null when <paramref name="prefix"/> can be an agent's namespace prefix, else what is wrong and how to fix it. A
    /// second agent on one machine (a test instance) needs a prefix of its own, so that neither lists, plans against or
    /// deletes the other's labs. It becomes the start of file names under /run/netns and of the words the teaching view
    /// prints, so it keeps to letters, digits, '-' and '_', starts with a letter (an empty one would claim every name),
    /// and holds no '.', the separator of lab and element.
    /// </summary>
    public static string? NamespacePrefixProblem(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            return $"the namespace prefix is empty; give one such as '{DefaultNamespacePrefix}' (letters, digits, '-' and '_', starting with a letter)";
        }

        if (prefix.Length > MaxNamespacePrefixLength)
        {
            return $"the namespace prefix '{prefix}' is {prefix.Length} characters long; at most {MaxNamespacePrefixLength} are allowed (namespace names have at most {NetLab.Core.Planning.NamingScheme.MaxNamespaceBytes} bytes in all)";
        }

        if (!char.IsAsciiLetter(prefix[0]))
        {
            return $"the namespace prefix '{prefix}' starts with '{prefix[0]}'; it must start with a letter";
        }

        var bad = prefix.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
        return bad == default ? null : $"the namespace prefix '{prefix}' contains '{bad}'; only letters, digits, '-' and '_' are allowed";
    }
}
