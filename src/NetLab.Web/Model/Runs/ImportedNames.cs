using System.Text;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Core.Links;
using NetLab.Core.Planning;
using NetLab.Web.Store;

namespace NetLab.Web.Model.Runs;

/// <summary>
/// Every name an imported run carries, checked with the lab validator's own rules before anything is stored. A run
/// from a file is anyone's text, yet its names go on to become names: a capture's element and interface are the name
/// of its file in every later export (<c>captures/1-../../x.pcap</c> would leave the archive), and element and interface
/// names are shown as the kernel's. So lab, switch, host and namespace names follow <see cref="LabName"/> (and the
/// composed kernel namespace name its length limit), interface names <see cref="InterfaceName.LabProblem"/>, kernel
/// namespace names the same characters within <see cref="NamingScheme.MaxNamespaceBytes"/>, and the run's YAML must
/// pass the validator whole. Texts that are only shown (commands, messages, lab paths) are not names and are not checked.
/// </summary>
public static class ImportedNames
{
    /// <summary>Null when every name of the run is one a lab may use, else which name, where, and why not.</summary>
    public static string? Problem(ArchivedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var problems = new Checker();
        problems.Lab(run.Lab, "the run's lab");
        problems.Lab(run.KernelLab, "the run's kernel lab name (kernelLab)");
        if (problems.First is null)
        {
            if (run.Yaml is null)
            {
                return "run.json has no lab YAML (yaml)";
            }

            var loaded = LabFormat.LoadAndValidate(run.Yaml, LabFileFormat.Yaml);
            if (!loaded.Succeeded)
            {
                return $"the run's lab YAML is not valid here: {string.Join("; ", loaded.Problems.Take(5))}";
            }
        }

        foreach (var capture in run.Captures ?? [])
        {
            problems.Element(capture.Element, $"capture {capture.Number}'s element", run.KernelLab);
            problems.Interface(capture.Interface, $"capture {capture.Number}'s interface");
        }

        foreach (var entry in run.Entries ?? [])
        {
            var where = $"entry {entry.Sequence} ({RunRecorder.KindText(entry.Kind)})";
            if (entry.Event is { } change)
            {
                problems.Lab(change.Lab, $"the lab of {where}");
                if (change is not { Kind: LabEventKind.Resync, Element: "" })
                {
                    problems.Element(change.Element, $"the element of {where}", null);
                }

                problems.Namespace(change.Snapshot, where);
                problems.Link(change.Interface, where);
                if (change.InterfaceName is not null)
                {
                    problems.Interface(change.InterfaceName, $"the interface of {where}");
                }
            }

            if (entry.Probe is { } probe)
            {
                problems.Lab(probe.Lab, $"the lab of {where}");
                foreach (var result in probe.Results ?? [])
                {
                    problems.Element(result.From, $"a source of {where}", null);
                    problems.Element(result.To, $"a target of {where}", null);
                    problems.Interface(result.ToInterface, $"a target interface of {where}");
                }
            }

            if (entry.Capture is { } info)
            {
                problems.Element(info.Element, $"the capture element of {where}", null);
                problems.Interface(info.Interface, $"the capture interface of {where}");
            }

            if (entry.Applied is { } applied)
            {
                problems.Lab(applied.Lab, $"the lab of {where}");
            }

            if (entry.Operation?.Operation is { } operation)
            {
                problems.KernelNamespace(operation.Namespace, $"the namespace of {where}");
            }

            if (problems.First is not null)
            {
                break;
            }
        }

        return problems.First;
    }

    /// <summary>Collects the first problem; every check after it does nothing.</summary>
    private sealed class Checker
    {
        public string? First { get; private set; }

        public void Lab(string? name, string what) => Add(what, LabName.Problem(name));

        public void Element(string? name, string what, string? kernelLab)
        {
            Add(what, LabName.Problem(name));
            if (kernelLab is not null && LabName.Problem(kernelLab) is null && name is not null
                && NamingScheme.Default.NamespaceLengthProblem(kernelLab, name) is var (message, _))
            {
                Add(what, message);
            }
        }

        public void Interface(string? name, string what) => Add(what, InterfaceName.LabProblem(name));

        /// <summary>An interface reference as the agent writes a parent or master: NAME, or ELEMENT/NAME in another namespace.</summary>
        public void Reference(string? text, string what)
        {
            if (text is null)
            {
                return;
            }

            var reference = InterfaceReference.Parse(text, "");
            if (reference.Namespace.Length > 0)
            {
                Element(reference.Namespace, what, null);
            }

            Interface(reference.Interface, what);
        }

        public void KernelNamespace(string? name, string what)
        {
            var problem = string.IsNullOrEmpty(name) ? "a name is required"
                : Encoding.UTF8.GetByteCount(name) > NamingScheme.MaxNamespaceBytes ? $"'{name}' is longer than {NamingScheme.MaxNamespaceBytes} bytes, the longest kernel namespace name NetLab makes"
                : !char.IsAsciiLetterOrDigit(name[0]) || name.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
                    ? $"'{name}' is not a kernel namespace name NetLab makes (letters, digits, '-', '_' and '.', starting with a letter or digit)"
                    : null;
            Add(what, problem);
        }

        public void Namespace(NamespaceState? state, string where)
        {
            if (state is null)
            {
                return;
            }

            Element(state.Element, $"the snapshot element of {where}", null);
            KernelNamespace(state.KernelName, $"the snapshot's kernel namespace of {where}");
            foreach (var link in state.Interfaces ?? [])
            {
                Link(link, where);
            }
        }

        public void Link(InterfaceState? link, string where)
        {
            if (link is null)
            {
                return;
            }

            Interface(link.Name, $"an interface of {where}");
            Reference(link.Parent, $"the parent of {link.Name} in {where}");
            Reference(link.Master, $"the master of {link.Name} in {where}");
        }

        private void Add(string what, string? problem)
        {
            if (First is null && problem is not null)
            {
                // The rules' messages quote the name themselves.
                First = $"{what}: {problem}";
            }
        }
    }
}
