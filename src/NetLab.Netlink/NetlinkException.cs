namespace NetLab.Netlink;

/// <summary>
/// The kernel (or a system call) refused an operation. Carries the errno and its name, what NetLab was doing,
/// the kernel's extended-ack text when it sent one, and NetLab's own reading of the cause when it has one.
/// </summary>
public sealed class NetlinkException : Exception
{
    public NetlinkException(int errno, string operation, string? kernelMessage = null, string? explanation = null)
        : base(Compose(errno, operation, kernelMessage, explanation))
    {
        Errno = errno;
        Operation = operation;
        KernelMessage = kernelMessage;
        Explanation = explanation;
    }

    public int Errno { get; }

    public string ErrnoName => Interop.Errno.Name(Errno);

    /// <summary>What was attempted, in words (e.g. "create macvlan 'mv0' on ifindex 2").</summary>
    public string Operation { get; }

    /// <summary>The kernel's extended-ack message (NLMSGERR_ATTR_MSG), if it sent one.</summary>
    public string? KernelMessage { get; }

    /// <summary>NetLab's explanation of the likely cause and the fix, where the errno alone says too little.</summary>
    public string? Explanation { get; }

    /// <summary>True when the kernel lacks the feature (link kind not built in, attribute not supported).</summary>
    public bool IsUnsupported => Errno == Interop.Errno.EOPNOTSUPP || Errno == Interop.Errno.EPROTONOSUPPORT || Errno == Interop.Errno.EAFNOSUPPORT;

    internal NetlinkException WithExplanation(string explanation) => new(Errno, Operation, KernelMessage, explanation);

    private static string Compose(int errno, string operation, string? kernelMessage, string? explanation)
    {
        var text = $"{operation}: {Interop.Errno.Describe(errno)}";
        if (!string.IsNullOrEmpty(kernelMessage))
        {
            text += $"; kernel says: \"{kernelMessage}\"";
        }

        if (!string.IsNullOrEmpty(explanation))
        {
            text += $". {explanation}";
        }

        return text;
    }
}

/// <summary>A request NetLab refuses to send because it is invalid; nothing was changed in the kernel.</summary>
public sealed class InvalidLinkRequestException(string message) : ArgumentException(message);
