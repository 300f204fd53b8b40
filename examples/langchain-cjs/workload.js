'use strict';
// The LangChain.js / LangGraph workload of the langchain examples. The libraries are passed in, so
// the CommonJS app runs it with the packages' CommonJS builds and the ES-module app with their ESM
// builds. Returns the lines the app prints: model replies and the token usage LangChain reports.

/**
 * @param {object} lc LangChain and LangGraph exports: ChatOpenAI, ChatPromptTemplate,
 *   StringOutputParser, StateGraph, MessagesAnnotation, START, END.
 */
async function runWorkload(lc) {
  const { ChatOpenAI, ChatPromptTemplate, StringOutputParser, StateGraph, MessagesAnnotation, START, END } = lc;
  const log = [];
  const model = new ChatOpenAI({
    model: 'gpt-4o-mini',
    maxRetries: 0,
    configuration: { baseURL: process.env.OPENAI_BASE_URL },
  });

  // A chain: prompt | model | parser, named with runName.
  const prompt = ChatPromptTemplate.fromMessages([
    ['system', 'You answer questions about bicycles in one sentence.'],
    ['human', '{question}'],
  ]);
  const answer = prompt.pipe(model).pipe(new StringOutputParser()).withConfig({ runName: 'support-answer' });
  log.push(`chain invoke: ${await answer.invoke({ question: 'How often should I oil my chain?' })}`);
  const batch = await answer.batch([{ question: 'What tyre pressure for gravel?' }, { question: 'Do I need a torque wrench?' }]);
  batch.forEach((text, i) => log.push(`chain batch ${i}: ${text}`));
  let streamed = '';
  let chunks = 0;
  for await (const chunk of await answer.stream({ question: 'Why does my derailleur skip?' })) {
    streamed += chunk;
    chunks++;
  }
  log.push(`chain stream: ${chunks > 0 ? 'chunks' : 'no chunks'}: ${streamed}`);

  // A LangGraph graph with two nodes, each making one model call.
  const draft = async (state) => ({ messages: [await model.invoke(state.messages)] });
  const review = async (state) => ({
    messages: [await model.invoke([...state.messages, { role: 'user', content: 'Now make it shorter.' }])],
  });
  const graph = new StateGraph(MessagesAnnotation)
    .addNode('draft', draft)
    .addNode('review', review)
    .addEdge(START, 'draft')
    .addEdge('draft', 'review')
    .addEdge('review', END)
    .compile();
  const ticket = { messages: [{ role: 'user', content: 'Write a reply to a customer whose bike arrived scratched.' }] };
  const result = await graph.invoke(ticket, { runName: 'ticket-graph' });
  for (const message of result.messages.slice(1)) log.push(`graph invoke: ${message.content} (${usage(message)})`);
  for await (const update of await graph.stream(ticket, { runName: 'ticket-graph', streamMode: 'updates' })) {
    for (const [node, value] of Object.entries(update))
      log.push(`graph stream ${node}: ${value.messages[0].content} (${usage(value.messages[0])})`);
  }

  // The model on its own, outside any chain.
  const direct = await model.invoke('Say hello to the workshop.');
  log.push(`model invoke: ${direct.content} (${usage(direct)})`);
  return log;
}

/** The token usage LangChain reports on an AI message. */
function usage(message) {
  const u = message.usage_metadata;
  return u ? `${u.input_tokens} in / ${u.output_tokens} out` : 'no usage';
}

/** Model calls the workload makes: invoke 1, batch 2, stream 1, graph invoke 2, graph stream 2, model 1. */
const MODEL_CALLS = 9;

module.exports = { runWorkload, MODEL_CALLS };
