namespace KernelGen.MiniLM
{
    /// <summary>
    /// The built-in batch (written for this sample): lengths from 3 to about 130 word pieces, punctuation, accents,
    /// numbers, a made-up word (split into pieces), symbols outside the vocabulary ([UNK]) and CJK characters.
    /// </summary>
    internal static class SampleSentences
    {
        public static readonly string[] All =
        [
            "Hi",
            "Dogs are loyal.",
            "The cat slept on the warm windowsill all afternoon.",
            "A man is playing a guitar on the street corner while people walk past.",
            "Café owners in Zürich say the crème brûlée sells out before noon.",
            "In 2023 the company shipped 1,250,000 units, up 17.5% from 2022 (Q4 alone: 410,000).",
            "What time does the night train to São Paulo leave tomorrow?",
            "She said, \"I'll be there at 7:30 p.m.; don't wait for me!\"",
            "Photosynthesis converts light energy into chemical energy that is stored in glucose.",
            "The glorptastic frobnicator whizzled \u2603 through the snow \U0001F642 at 3 a.m.",
            "Naïve Bayes classifiers assume the features are conditionally independent given the class.",
            "Please reset your password with the link we e-mailed to you; it expires in 24 hours.",
            "Mount Everest is 8,849 metres (29,032 ft) tall.",
            "I like writing C# and F#, but Rust's borrow checker still surprises me now and then.",
            "\u6771\u4EAC is the capital of Japan, and Kyoto was the capital before it.",
            "How do I convert a temperature from Fahrenheit to Celsius without a calculator?",
            "The river had flooded the lower fields twice that spring, so the farmers moved their sheep to the hills.",
            "The committee reviewed every proposal submitted before the deadline, compared the estimated costs with the "
                + "available budget, interviewed the three teams whose designs scored highest in the first round, and finally "
                + "recommended a smaller bridge that could be built in two stages: the first span would open to pedestrians and "
                + "cyclists within eighteen months, while the second, wider span for buses and delivery vans would follow once "
                + "the city had secured the remaining funds from the regional transport authority and the national government. "
                + "Residents who came to the public meetings in March asked for better lighting, wider footpaths and a safe "
                + "crossing near the primary school, and the engineers agreed to include all three.",
        ];
    }
}
