import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module.js';
import { VolumesModule } from '../volumes/volumes.module.js';
import { RegistrationController } from './registration.controller.js';
import { RegistrationService } from './registration.service.js';

@Module({
  imports: [StateModule, VolumesModule],
  controllers: [RegistrationController],
  providers: [RegistrationService],
  exports: [RegistrationService],
})
export class RegistrationModule {}
