'use strict';
// Example service (CommonJS) using LangChain.js and LangGraph. Run it with the hook:
//   node --require @tokenomics/node/register app.js
// ChatOpenAI calls the openai client, which reads OPENAI_API_KEY; OPENAI_BASE_URL points it at the
// emulator. Each model call becomes one priced span carrying the chain and graph node names.
const { ChatOpenAI } = require('@langchain/openai');
const { ChatPromptTemplate } = require('@langchain/core/prompts');
const { StringOutputParser } = require('@langchain/core/output_parsers');
const { StateGraph, MessagesAnnotation, START, END } = require('@langchain/langgraph');
const { runWorkload } = require('./workload');

runWorkload({ ChatOpenAI, ChatPromptTemplate, StringOutputParser, StateGraph, MessagesAnnotation, START, END })
  .then((log) => {
    for (const line of log) console.log(line);
    console.log('workload done');
  })
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
