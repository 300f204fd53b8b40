// Example service (ES modules) using LangChain.js and LangGraph. Run it with the hook:
//   node --import @tokenomics/node/register app.mjs
// ChatOpenAI calls the openai client, which reads OPENAI_API_KEY; OPENAI_BASE_URL points it at the
// emulator. Each model call becomes one priced span carrying the chain and graph node names.
import { ChatOpenAI } from '@langchain/openai';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { StateGraph, MessagesAnnotation, START, END } from '@langchain/langgraph';
import { createRequire } from 'node:module';

// The workload is plain JavaScript shared with the CommonJS example; the libraries it uses are
// the ESM builds imported above.
const { runWorkload } = createRequire(import.meta.url)('../langchain-cjs/workload.js');

const log = await runWorkload({ ChatOpenAI, ChatPromptTemplate, StringOutputParser, StateGraph, MessagesAnnotation, START, END });
for (const line of log) console.log(line);
console.log('workload done');
