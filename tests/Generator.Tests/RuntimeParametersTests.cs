using System;
using System.Globalization;
using System.Reflection;
using KernelGen.Engine;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using Xunit;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// The generator's run-time parameter table against the runtime it emits calls to: each entry's member is a
    /// RuntimeParameter flag and a BatchedArguments property of its type, and BatchedKernelInfo's default name for it is
    /// the parameter's own name (the generator relies on that and spells no run-time parameter name in the info). The
    /// names themselves are written once, in src/Runtime/Shared/RuntimeParameterNames.cs, which both assemblies compile.
    /// </summary>
    public sealed class RuntimeParametersTests
    {
        [Fact]
        public void EveryEntry_MatchesTheRuntimesMembers()
        {
            var info = new BatchedKernelInfo(AttentionLayout.BatchSeqHeadDim, 8, 1, 1, RuntimeParameter.None, "q", "k", "v", "o", "b");
            RuntimeParameter all = RuntimeParameter.None;
            foreach ((string name, string type, string member, string description, _) in RuntimeParameters.All)
            {
                RuntimeParameter flag = Enum.Parse<RuntimeParameter>(member);
                all |= flag;
                PropertyInfo? property = typeof(BatchedArguments<float, float, float>).GetProperty(member);
                Assert.True(property is not null, $"BatchedArguments has no {member}");
                Assert.Equal(type, Display(property!.PropertyType));
                Assert.Equal(name, typeof(BatchedKernelInfo).GetProperty(member + "Name")!.GetValue(info));
                Assert.StartsWith(name, description, StringComparison.Ordinal);
            }

            RuntimeParameter every = RuntimeParameter.None;
            foreach (RuntimeParameter flag in Enum.GetValues<RuntimeParameter>())
            {
                every |= flag;
            }

            Assert.Equal(every, all);
            Assert.Equal(Enum.GetValues<RuntimeParameter>().Length - 1, RuntimeParameters.All.Length);
        }

        [Fact]
        public void EveryName_IsInTheTable_UnderItsOwnMember()
        {
            // RuntimeParameterNames (src/Runtime/Shared, linked into the generator) against the table that binds them.
            FieldInfo[] names = typeof(RuntimeParameterNames).GetFields(BindingFlags.Public | BindingFlags.Static);
            Assert.Equal(RuntimeParameters.All.Length, names.Length);
            foreach (FieldInfo field in names)
            {
                Assert.Contains(RuntimeParameters.All, p => p.Name == (string)field.GetRawConstantValue()! && p.Member == field.Name);
            }
        }

        [Fact]
        public void UnknownRuntimeParameterMessage_ListsTheTableInOrder()
        {
            string message = DiagnosticDescriptors.UnknownRuntimeParameter.MessageFormat.ToString(CultureInfo.InvariantCulture);
            int from = 0;
            foreach ((string name, string type, _, _, string condition) in RuntimeParameters.All)
            {
                string entry = RuntimeParameters.ShortType(type) + " " + name + (condition.Length > 0 ? " (" + condition + ")" : string.Empty);
                int at = message.IndexOf(entry, from, StringComparison.Ordinal);
                Assert.True(at >= 0, $"KG0015's message lacks '{entry}' after position {from}: {message}");
                from = at + entry.Length;
            }

            Assert.Equal(message.Length, from);
        }

        /// <summary>A span type as the compiler displays it, e.g. System.ReadOnlySpan&lt;int&gt;.</summary>
        private static string Display(Type type)
        {
            if (type == typeof(float))
            {
                return "float"; // the run-time scale
            }

            Type element = type.GetGenericArguments()[0];
            string alias = element == typeof(int) ? "int" : element == typeof(bool) ? "bool" : element == typeof(float) ? "float" : element.FullName!;
            string generic = type.GetGenericTypeDefinition().FullName!;
            return $"{generic.Substring(0, generic.IndexOf('`'))}<{alias}>";
        }
    }
}
