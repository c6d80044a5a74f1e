using System;

namespace KernelGen.Engine
{
    /// <summary>
    /// What every (batch item, key/value head) claim of one batched call reads (<see cref="BatchedAttention"/>'s thread
    /// job): the call's validated spans, the items' lengths captured once (<see cref="ItemRows"/>), the standard ALiBi
    /// slopes, the shape and how many key/value heads one claim takes. The lengths and starts the caller passed are not
    /// here: nothing after validation reads them again.
    /// </summary>
    /// <remarks>
    /// Fields, not properties: tier-0 code on a kernel's first call compiles each property accessor as a method of its
    /// own (bench/RESULTS.md, "First call"). Always passed by <c>in</c>.
    /// </remarks>
    internal ref struct HeadGroupArguments<TQuery, TKeyValue, TOutput> : IJobArguments<HeadGroupArguments<TQuery, TKeyValue, TOutput>, HeadGroupArguments<TQuery, TKeyValue, TOutput>.Pinned>
        where TQuery : unmanaged
        where TKeyValue : unmanaged
        where TOutput : unmanaged
    {
        /// <summary>The call's spans and run-time values (its lengths and starts unused).</summary>
        public required BatchedArguments<TQuery, TKeyValue, TOutput> Call;

        /// <summary>Each item's query and key rows, read once from the caller's lengths or starts.</summary>
        public required ReadOnlySpan<ItemRows> Items;

        /// <summary>The standard ALiBi slopes ([H]) for a kernel that declares no slopes.</summary>
        public required ReadOnlySpan<float> StandardSlopes;

        /// <summary>The validated shape.</summary>
        public required BatchedShape Shape;

        /// <summary>Key/value heads per claim (see BatchedAttention.KeyValueHeadsPerCall).</summary>
        public required int KeyHeadsPerCall;

        /// <inheritdoc/>
        public static unsafe void RunPinned<TPlan>(scoped in HeadGroupArguments<TQuery, TKeyValue, TOutput> arguments, PinnedJob<Pinned, TPlan> job)
        {
            BatchedArguments<TQuery, TKeyValue, TOutput> call = arguments.Call;
            fixed (TQuery* query = call.Query)
            fixed (TKeyValue* key = call.Key)
            fixed (TKeyValue* value = call.Value)
            fixed (TOutput* output = call.Output)
            fixed (float* logSumExp = call.LogSumExp)
            fixed (bool* keyMask = call.KeyMask)
            fixed (bool* mask = call.Mask)
            fixed (float* slopes = call.AlibiSlopes)
            fixed (float* bias = call.Bias)
            fixed (float* sinks = call.Sinks)
            fixed (ItemRows* items = arguments.Items)
            fixed (float* standardSlopes = arguments.StandardSlopes)
            {
                job.RunPinned(new Pinned
                {
                    Query = new(query, call.Query.Length),
                    Key = new(key, call.Key.Length),
                    Value = new(value, call.Value.Length),
                    Output = new(output, call.Output.Length),
                    Batch = call.Batch,
                    LogSumExp = new(logSumExp, call.LogSumExp.Length),
                    KeyMask = new(keyMask, call.KeyMask.Length),
                    Mask = new(mask, call.Mask.Length),
                    Scale = call.Scale,
                    AlibiSlopes = new(slopes, call.AlibiSlopes.Length),
                    Bias = new(bias, call.Bias.Length),
                    Sinks = new(sinks, call.Sinks.Length),
                    Items = new(items, arguments.Items.Length),
                    StandardSlopes = new(standardSlopes, arguments.StandardSlopes.Length),
                    Shape = arguments.Shape,
                    KeyHeadsPerCall = arguments.KeyHeadsPerCall,
                });
            }
        }

        /// <summary>The same arguments with every span as its pinned address and length, for the worker threads.</summary>
        internal readonly struct Pinned
        {
            public PinnedSpan<TQuery> Query { get; init; }

            public PinnedSpan<TKeyValue> Key { get; init; }

            public PinnedSpan<TKeyValue> Value { get; init; }

            public PinnedSpan<TOutput> Output { get; init; }

            public int Batch { get; init; }

            public PinnedSpan<float> LogSumExp { get; init; }

            public PinnedSpan<bool> KeyMask { get; init; }

            public PinnedSpan<bool> Mask { get; init; }

            public float Scale { get; init; }

            public PinnedSpan<float> AlibiSlopes { get; init; }

            public PinnedSpan<float> Bias { get; init; }

            public PinnedSpan<float> Sinks { get; init; }

            public PinnedSpan<ItemRows> Items { get; init; }

            public PinnedSpan<float> StandardSlopes { get; init; }

            public BatchedShape Shape { get; init; }

            public int KeyHeadsPerCall { get; init; }

            /// <summary>The arguments back as spans (valid while the pinning call runs).</summary>
            public HeadGroupArguments<TQuery, TKeyValue, TOutput> Arguments => new()
            {
                Call = new BatchedArguments<TQuery, TKeyValue, TOutput>(Query.Read, Key.Read, Value.Read, Output.Write, Batch)
                {
                    LogSumExp = LogSumExp.Write,
                    KeyMask = KeyMask.Read,
                    Mask = Mask.Read,
                    Scale = Scale,
                    AlibiSlopes = AlibiSlopes.Read,
                    Bias = Bias.Read,
                    Sinks = Sinks.Read,
                },
                Items = Items.Read,
                StandardSlopes = StandardSlopes.Read,
                Shape = Shape,
                KeyHeadsPerCall = KeyHeadsPerCall,
            };
        }
    }
}
