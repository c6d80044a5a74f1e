using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning
{
    /// <summary>Spec to plan: pure arithmetic, no Roslyn types.</summary>
    internal static class KernelPlanner
    {
        /// <summary>
        /// Windows narrower than this many keys run row by row: a group of 8 rows would score their union in 16-key blocks,
        /// about twice the multiply-adds of the rows' own windows, and measured slower than rows one at a time (bench/RESULTS.md,
        /// "Lean micro-kernels").
        /// </summary>
        public const int MinTiledWindow = 64;

        /// <summary>The smallest and largest side of the mask picture in the generated header.</summary>
        public const int MinPictureSize = 12;
        public const int MaxPictureSize = 40;

        private static readonly int[] ShareLengths = { 1024, 4096 };

        /// <summary>Plans a kernel; an unexpected exception becomes a plan with <see cref="KernelPlan.Failure"/> set, never a generator crash.</summary>
        public static KernelPlan TryPlan(KernelSpec spec)
        {
            try
            {
                return Plan(spec);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return new KernelPlan(spec, string.Empty, string.Empty, EquatableArray<PathPlan>.Empty, EquatableArray<string>.Empty, EquatableArray<PairShare>.Empty,
                    Failure: exception.GetType().Name + ": " + exception.Message);
            }
        }

        public static KernelPlan Plan(KernelSpec spec)
        {
            int d = spec.HeadDimension;

            // Tiles pay unless every row sees only a narrow window; run-time masks take the tiles too (composed per block).
            bool useTiles = !spec.Mask.HasWindow || (long)spec.Mask.WindowLeft + (spec.Mask.Causal ? 0 : spec.Mask.WindowRight) + 1 >= MinTiledWindow;
            var paths = new[]
            {
                PlanPath("Vector512Path", "Vector512<float>, 16 lanes", 16, d, useTiles),
                PlanPath("Vector256Path", "Vector256<float>, 8 lanes", 8, d, useTiles),
                PlanPath("Vector128Path", "Vector128<float>, 4 lanes", 4, d, useTiles),
                PlanPath("ScalarPath", "scalar float", 1, d, useTiles),
            };

            // Large enough for the window's band to show, where that fits in 40 columns.
            int pictureSize = spec.Mask.HasWindow
                ? (int)Math.Min(MaxPictureSize, Math.Max(MinPictureSize, (long)spec.Mask.WindowLeft + spec.Mask.WindowRight + 8))
                : MinPictureSize;
            var picture = new List<string>();
            for (int row = 0; row < pictureSize; row++)
            {
                var line = new StringBuilder();
                for (int column = 0; column < pictureSize; column++)
                {
                    line.Append(column == 0 ? string.Empty : " ").Append(MaskMath.IsAllowed(spec.Mask, row, column, pictureSize, pictureSize) ? '#' : '.');
                }

                picture.Add(line.ToString());
            }

            var shares = new List<PairShare>();
            foreach (int length in ShareLengths)
            {
                shares.Add(new PairShare(length, MaskMath.AllowedPairs(spec.Mask, length, length)));
            }

            return new KernelPlan(
                spec,
                HintName(spec),
                spec.MethodName.TrimStart('@') + "Kernel",
                new EquatableArray<PathPlan>(paths),
                new EquatableArray<string>(picture),
                new EquatableArray<PairShare>(shares));
        }

        /// <summary>
        /// Splits d floats as the runtime's path of this width walks them: full vectors of <paramref name="lanes"/>, then
        /// 8-, 4-lane vectors and scalars for the remainder.
        /// </summary>
        public static PathPlan PlanPath(string name, string description, int lanes, int headDimension, bool useTiles = true)
        {
            int fullChunks = headDimension / lanes;
            var chunks = new List<Chunk>();
            int offset = 0;
            for (int i = 0; i < fullChunks; i++, offset += lanes)
            {
                chunks.Add(new Chunk(lanes, offset));
            }

            foreach (int smaller in new[] { 8, 4 })
            {
                if (smaller < lanes && headDimension - offset >= smaller)
                {
                    chunks.Add(new Chunk(smaller, offset));
                    offset += smaller;
                }
            }

            for (; offset < headDimension; offset++)
            {
                chunks.Add(new Chunk(1, offset));
            }

            int rowTile = lanes == 1 || !useTiles ? 0 : 8 * lanes / 16;
            return new PathPlan(name, description, lanes, new EquatableArray<Chunk>(chunks), rowTile);
        }

        /// <summary>Hint names longer than this (before <c>.g.cs</c>) are cut and given the signature's hash.</summary>
        public const int MaxHintStemLength = 120;

        /// <summary>
        /// The kernel's identity as C# sees it: namespace, containing types (name and arity), method name and parameter
        /// types (run-time parameters by their table names), e.g. <c>App.Outer`1+Inner.A(float,global::System.Half,...)</c>.
        /// Two declarations in one compilation with the same key are the same method.
        /// </summary>
        public static string SignatureKey(KernelSpec spec)
        {
            var builder = new StringBuilder();
            builder.Append(spec.Namespace.Replace("@", string.Empty)).Append('|');
            foreach (ContainingTypeSpec type in spec.ContainingTypes)
            {
                builder.Append(type.Name.TrimStart('@')).Append('`').Append(type.Arity).Append('+');
            }

            builder.Append(spec.MethodName.TrimStart('@')).Append('(')
                .Append(spec.QueryElement).Append(',').Append(spec.KeyValueElement).Append(',').Append(spec.KeyValueElement).Append(',').Append(spec.OutputElement);
            if (spec.Batch is { } batch)
            {
                builder.Append(",int");
                foreach (string parameter in batch.RuntimeParameters)
                {
                    builder.Append(',').Append(parameter);
                }
            }
            else if (spec.Score is { RuntimeScale: true })
            {
                builder.Append(",float");
            }

            return builder.Append(')').ToString();
        }

        /// <summary>
        /// Every kernel's final hint name, from each kernel's signature key and preferred name. A name is kept when no other
        /// kernel's name equals it ignoring case (hint names are compared so); names that clash get a suffix from their own
        /// key (FNV-1a, the same on every machine and run), and a clash that survives that (equal hashes) gets the kernel's
        /// rank among the clashing keys in ordinal order: so the result never depends on the order of discovery.
        /// Equal keys (one method declared twice, which the compiler rejects) get one name.
        /// </summary>
        public static EquatableArray<HintNameEntry> AssignHintNames(IEnumerable<HintNameEntry> preferred)
        {
            try
            {
                return AssignHintNamesCore(preferred);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Never a generator crash: each kernel keeps its preferred name (a clash left is reported as KG0999 when added).
                return EquatableArray<HintNameEntry>.Empty;
            }
        }

        private static EquatableArray<HintNameEntry> AssignHintNamesCore(IEnumerable<HintNameEntry> preferred)
        {
            var byKey = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (HintNameEntry entry in preferred)
            {
                if (entry.Key.Length > 0 && entry.HintName.Length > 0 && !byKey.ContainsKey(entry.Key))
                {
                    byKey.Add(entry.Key, entry.HintName);
                }
            }

            var names = new Dictionary<string, string>(byKey, StringComparer.Ordinal);
            for (int round = 0; round < 3; round++)
            {
                var groups = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
                foreach (KeyValuePair<string, string> pair in names)
                {
                    if (!groups.TryGetValue(pair.Value, out List<string>? keys))
                    {
                        groups.Add(pair.Value, keys = new List<string>());
                    }

                    keys.Add(pair.Key);
                }

                bool clashed = false;
                foreach (List<string> keys in groups.Values)
                {
                    if (keys.Count < 2)
                    {
                        continue;
                    }

                    clashed = true;
                    keys.Sort(StringComparer.Ordinal);
                    for (int i = 0; i < keys.Count; i++)
                    {
                        string stem = names[keys[i]];
                        stem = stem.Substring(0, stem.Length - ".g.cs".Length);
                        string suffix = round == 0 ? Fnv1a(keys[i]) : i.ToString(CultureInfo.InvariantCulture);
                        names[keys[i]] = stem + "." + suffix + ".g.cs";
                    }
                }

                if (!clashed)
                {
                    break;
                }
            }

            var result = new List<HintNameEntry>(names.Count);
            foreach (string key in byKey.Keys)
            {
                result.Add(new HintNameEntry(key, names[key]));
            }

            return new EquatableArray<HintNameEntry>(result);
        }

        /// <summary>The plan with its final hint name from <paramref name="assigned"/> (sorted by key, from <see cref="AssignHintNames"/>).</summary>
        public static KernelPlan WithUniqueHintName(KernelPlan plan, EquatableArray<HintNameEntry> assigned)
        {
            if (plan.Failure is not null)
            {
                return plan;
            }

            string key = SignatureKey(plan.Spec);
            int low = 0, high = assigned.Length - 1;
            while (low <= high)
            {
                int middle = low + ((high - low) / 2);
                int order = string.CompareOrdinal(assigned[middle].Key, key);
                if (order == 0)
                {
                    return assigned[middle].HintName == plan.HintName ? plan : plan with { HintName = assigned[middle].HintName };
                }

                if (order < 0)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle - 1;
                }
            }

            return plan;
        }

        /// <summary>
        /// A stable, readable file name from the kernel's full name: <c>MyApp.Kernels.Longformer64.g.cs</c>. Nested types are
        /// joined with <c>+</c> and generic arity is written <c>`1</c>, as in metadata names. A character a hint name may not
        /// hold (e.g. the backslash of a <c>\u0041</c> escape) becomes <c>_</c>; a name longer than
        /// <see cref="MaxHintStemLength"/> is cut and given its signature's hash. Clashes are settled by <see cref="AssignHintNames"/>.
        /// </summary>
        private static string HintName(KernelSpec spec)
        {
            var builder = new StringBuilder();
            if (spec.Namespace.Length > 0)
            {
                AppendSafe(builder, spec.Namespace.Replace("@", string.Empty), allowDots: true);
                builder.Append('.');
            }

            for (int i = 0; i < spec.ContainingTypes.Length; i++)
            {
                ContainingTypeSpec type = spec.ContainingTypes[i];
                AppendSafe(builder, type.Name.TrimStart('@'), allowDots: false);
                if (type.Arity > 0)
                {
                    builder.Append('`').Append(type.Arity);
                }

                builder.Append(i == spec.ContainingTypes.Length - 1 ? '.' : '+');
            }

            AppendSafe(builder, spec.MethodName.TrimStart('@'), allowDots: false);
            if (builder.Length > MaxHintStemLength)
            {
                builder.Length = MaxHintStemLength - 9;
                builder.Append('.').Append(Fnv1a(SignatureKey(spec)));
            }

            return builder.Append(".g.cs").ToString();
        }

        /// <summary>Appends a name, letters, digits and <c>_</c> as they are (and dots when asked), any other character as <c>_</c>.</summary>
        internal static void AppendSafe(StringBuilder builder, string name, bool allowDots)
        {
            foreach (char c in name)
            {
                builder.Append(char.IsLetterOrDigit(c) || c == '_' || (allowDots && c == '.') ? c : '_');
            }
        }

        /// <summary>32-bit FNV-1a over the UTF-16 code units, as 8 lower-case hex digits (string.GetHashCode is randomised per process).</summary>
        internal static string Fnv1a(string text)
        {
            uint hash = 2166136261;
            foreach (char c in text)
            {
                hash = unchecked((hash ^ c) * 16777619);
            }

            return hash.ToString("x8", CultureInfo.InvariantCulture);
        }
    }
}
