import { Logger } from '@nestjs/common';
import { createLogger } from '../src/app.js';

// Specs log only errors; set SM_TEST_LOG_LEVEL=DEBUG to see everything.
Logger.overrideLogger(createLogger(process.env.SM_TEST_LOG_LEVEL === 'DEBUG' ? 'DEBUG' : 'ERROR'));
