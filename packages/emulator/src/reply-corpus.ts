/**
 * Sentences the emulator builds its replies from. Every word is common enough to be a
 * single token (with its leading space) in both o200k_base and cl100k_base, so a reply cut
 * after any token still counts exactly that many tokens.
 */
export const REPLY_CORPUS: readonly string[] = [
  'The answer depends on how many tokens the model reads and writes.',
  'Each call is billed by the number of input and output tokens.',
  'A short prompt keeps the cost of every request low.',
  'Cached input is read at a lower price than new input.',
  'The team can see the spend for each model in one place.',
  'Long answers cost more because output tokens have a higher price.',
  'We should check the usage before we change the model.',
  'This is a simple reply from the test server.',
  'The price of a model can change over time.',
  'Every request has a cost that we can measure and track.',
  'Small models are fast and cheap for most simple tasks.',
  'The budget for this month is still under the limit.',
  'Please keep the data in the same format as before.',
  'It is good to know where the money goes.',
  'The report shows the total cost for the last week.',
  'You can set a limit for each team and each project.',
];
