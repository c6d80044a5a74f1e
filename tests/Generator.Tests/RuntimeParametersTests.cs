using System;
using System.Linq;
using System.Reflection;
using KernelGen.Engine;
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
            foreach ((string name, string type, string member, _, string description) in RuntimeParameters.All)
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
        public void EveryAttribute_IsAPublicParameterAttribute_OfTheAttributesAssembly()
        {
            // The parser finds each attribute by its metadata name: a renamed or missing class would bind nothing.
            Assembly attributes = typeof(AttentionKernelAttribute).Assembly;
            Assert.Equal(RuntimeParameters.All.Length, RuntimeParameters.All.Select(static p => p.Attribute).Distinct().Count());
            foreach ((_, _, _, string attribute, _) in RuntimeParameters.All)
            {
                Type? type = attributes.GetType("KernelGen." + attribute + "Attribute");
                Assert.True(type is { IsPublic: true, IsSealed: true }, $"KernelGen.{attribute}Attribute is missing or not public and sealed");
                AttributeUsageAttribute usage = type!.GetCustomAttribute<AttributeUsageAttribute>()!;
                Assert.Equal(AttributeTargets.Parameter, usage.ValidOn);
                Assert.False(usage.AllowMultiple);
            }

            Assert.Equal(RuntimeParameters.All.Length, attributes.GetTypes().Count(static t => t.GetCustomAttribute<AttributeUsageAttribute>()?.ValidOn == AttributeTargets.Parameter));
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
