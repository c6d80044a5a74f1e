using System;

namespace KernelGen.EngineBench
{
    /// <summary>Random inputs in [-1, 1).</summary>
    public static class Data
    {
        public static float[] Fill(Random random, int length)
        {
            float[] data = new float[length];
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = (float)(random.NextDouble() * 2 - 1);
            }

            return data;
        }
    }
}
